'use client'

import { Banner, Pill, useConfig } from '@payloadcms/ui'
import type { ReactNode } from 'react'

import type { DashboardData, NotYet, OrderRow, SalesPeriod } from '../../dashboard/types'
import { capitalised, formatMoney, formatWhen } from '../format'
import { SalesChart } from './SalesChart'
import { useLiveDashboard } from './useLiveDashboard'
import type { Connection } from './useLiveDashboard'
import './dashboard.css'

const CONNECTION_LABEL: Record<Connection, string> = {
  connecting: 'Connecting…',
  live: 'Live',
  reconnecting: 'Reconnecting…',
}

function Widget({
  title,
  id,
  children,
  wide,
}: {
  title: string
  id: string
  children: ReactNode
  wide?: boolean
}) {
  return (
    <section className={`store-dashboard__widget${wide ? ' store-dashboard__widget--wide' : ''}`} id={id}>
      <h3>{title}</h3>
      {children}
    </section>
  )
}

function Period({ label, period, currency }: { label: string; period: SalesPeriod; currency: string }) {
  return (
    <div className="store-dashboard__figure">
      <span className="store-dashboard__figure-label">{label}</span>
      <strong className="store-dashboard__orders">
        {period.orders} {period.orders === 1 ? 'order' : 'orders'}
      </strong>
      <span className="store-dashboard__revenue">{formatMoney(period.revenue, currency)}</span>
      {period.refunded > 0 && (
        <span className="store-dashboard__refunded">{formatMoney(period.refunded, currency)} refunded</span>
      )}
    </div>
  )
}

function NotYetBuilt({ state }: { state: NotYet }) {
  return <p className="store-dashboard__empty">{state.reason}</p>
}

function OrderTable({ rows, currency, admin }: { rows: OrderRow[]; currency: string; admin: string }) {
  if (rows.length === 0) return <p className="store-dashboard__empty">None.</p>
  return (
    <table className="store-dashboard__table">
      <tbody>
        {rows.map((order) => (
          <tr key={String(order.id)} data-order={order.orderNumber}>
            <td>
              <a href={`${admin}/collections/orders/${order.id}`}>{order.orderNumber}</a>
            </td>
            <td>
              <Pill size="small">{capitalised(order.status)}</Pill>
            </td>
            <td>
              {order.paymentMethod === 'card'
                ? `card, ${order.paymentStatus}`
                : `COD, ${order.paymentStatus}`}
            </td>
            <td className="store-dashboard__amount">{formatMoney(order.total, currency)}</td>
            <td className="store-dashboard__when">{formatWhen(order.createdAt)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  )
}

function More({ shown, total }: { shown: number; total: number }) {
  return total > shown ? <p className="store-dashboard__more">and {total - shown} more</p> : null
}

function Widgets({ data, admin }: { data: DashboardData; admin: string }) {
  const { currency } = data
  return (
    <div className="store-dashboard__grid">
      <Widget title="Sales" id="dashboard-sales" wide>
        <div className="store-dashboard__figures">
          <Period label="Today" period={data.sales.today} currency={currency} />
          <Period label="Last 7 days" period={data.sales.last7} currency={currency} />
          <Period label="Last 30 days" period={data.sales.last30} currency={currency} />
        </div>
        <SalesChart days={data.sales.days} currency={currency} />
        <p className="store-dashboard__note">
          UTC days. Revenue counts every order placed that is not cancelled; refunds are shown apart.
        </p>
      </Widget>

      <Widget title="Orders by status" id="dashboard-status">
        <ul className="store-dashboard__statuses">
          {Object.entries(data.byStatus).map(([status, count]) => (
            <li key={status} data-status={status}>
              <a href={`${admin}/collections/orders?where[status][equals]=${status}`}>
                {capitalised(status)}
              </a>
              <strong>{count}</strong>
            </li>
          ))}
        </ul>
      </Widget>

      <Widget title="Newest orders" id="dashboard-newest" wide>
        <OrderTable rows={data.newest} currency={currency} admin={admin} />
      </Widget>

      <Widget title={`Low stock (${data.lowStock.threshold} or fewer)`} id="dashboard-low-stock">
        {data.lowStock.products.rows.length === 0 ? (
          <p className="store-dashboard__empty">Every product is above the threshold.</p>
        ) : (
          <table className="store-dashboard__table">
            <tbody>
              {data.lowStock.products.rows.map((product) => (
                <tr key={String(product.id)}>
                  <td>
                    <a href={`${admin}/collections/products/${product.id}`}>{product.title}</a>
                  </td>
                  <td>{product.sku}</td>
                  <td className="store-dashboard__amount">{product.stock}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
        <More shown={data.lowStock.products.rows.length} total={data.lowStock.products.total} />
        <h4>Variants</h4>
        <NotYetBuilt state={data.lowStock.variants} />
      </Widget>

      <Widget title="Card orders stuck unpaid" id="dashboard-stuck">
        <p className="store-dashboard__note">
          Neither paid nor cancelled {Math.round(data.stuckUnpaid.olderThanSeconds / 60)} minutes after
          checkout.
        </p>
        <OrderTable rows={data.stuckUnpaid.rows} currency={currency} admin={admin} />
        <More shown={data.stuckUnpaid.rows.length} total={data.stuckUnpaid.total} />
      </Widget>

      <Widget title="Payments and refunds to look at" id="dashboard-payments" wide>
        {data.paymentIssues.rows.length === 0 ? (
          <p className="store-dashboard__empty">None.</p>
        ) : (
          <table className="store-dashboard__table">
            <tbody>
              {data.paymentIssues.rows.map((order) => (
                <tr key={String(order.id)}>
                  <td>
                    <a href={`${admin}/collections/orders/${order.id}`}>{order.orderNumber}</a>
                  </td>
                  <td>
                    {capitalised(order.status)}, {order.paymentStatus}
                    {order.amountRefunded > 0 && `, ${formatMoney(order.amountRefunded, currency)} refunded`}
                  </td>
                  <td className={order.issue ? 'store-dashboard__issue' : undefined}>
                    {order.issue ?? order.note}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
        <More shown={data.paymentIssues.rows.length} total={data.paymentIssues.total} />
      </Widget>

      <Widget title={`Abandoned carts (last ${data.abandonedCarts.days} days)`} id="dashboard-abandoned">
        <p>
          <strong>{data.abandonedCarts.total}</strong> carts,{' '}
          {formatMoney(data.abandonedCarts.value, currency)} at today&apos;s prices, untouched for{' '}
          {data.abandonedCarts.idleHours} h or more.
        </p>
        <ul className="store-dashboard__list">
          {data.abandonedCarts.rows.map((cart) => (
            <li key={String(cart.id)}>
              <a href={`${admin}/collections/carts/${cart.id}`}>
                {cart.items} items, {formatMoney(cart.value, currency)}
              </a>{' '}
              <span className="store-dashboard__when">{formatWhen(cart.updatedAt)}</span>
            </li>
          ))}
        </ul>
        <h4>Guest carts</h4>
        <NotYetBuilt state={data.guestCarts} />
      </Widget>

      <Widget title="Emails that failed" id="dashboard-emails">
        <NotYetBuilt state={data.failedEmails} />
      </Widget>
    </div>
  )
}

/** The admin home: today's shop at a glance, kept current by the admins' real-time events. */
export function StoreDashboard() {
  const {
    config: { routes },
  } = useConfig()
  const { data, error, connection } = useLiveDashboard(routes.api)
  return (
    <div className="store-dashboard">
      <header className="store-dashboard__header">
        <h1>Dashboard</h1>
        <span
          className={`store-dashboard__connection store-dashboard__connection--${connection}`}
          id="dashboard-connection"
        >
          {CONNECTION_LABEL[connection]}
        </span>
        {data && <span className="store-dashboard__when">as of {formatWhen(data.generatedAt)}</span>}
      </header>
      {error && <Banner type="error">{error}</Banner>}
      {data ? <Widgets data={data} admin={routes.admin} /> : !error && <p>Loading…</p>}
    </div>
  )
}
