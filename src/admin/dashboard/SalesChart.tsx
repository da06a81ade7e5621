'use client'

import {
  BarController,
  BarElement,
  CategoryScale,
  Chart,
  Legend,
  LineController,
  LineElement,
  LinearScale,
  PointElement,
  Tooltip,
} from 'chart.js'
import { useEffect, useRef } from 'react'

import type { SalesDay } from '../../dashboard/types'
import { formatMoney } from '../format'

Chart.register(
  BarController,
  BarElement,
  CategoryScale,
  Legend,
  LineController,
  LineElement,
  LinearScale,
  PointElement,
  Tooltip,
)

/** A colour of Payload's theme (its CSS variables), so the chart follows light and dark mode. */
const themeColour = (name: string, fallback: string): string =>
  getComputedStyle(document.documentElement).getPropertyValue(name).trim() || fallback

/** Orders (bars) and revenue (line) per day over the last 30 days. */
export function SalesChart({ days, currency }: { days: SalesDay[]; currency: string }) {
  const canvas = useRef<HTMLCanvasElement>(null)
  const chart = useRef<Chart | null>(null)

  useEffect(() => {
    if (!canvas.current) return
    const text = themeColour('--theme-elevation-800', '#333')
    const grid = themeColour('--theme-elevation-100', '#eee')
    chart.current = new Chart(canvas.current, {
      data: { labels: [], datasets: [] },
      type: 'bar',
      options: {
        animation: false,
        maintainAspectRatio: false,
        interaction: { mode: 'index', intersect: false },
        plugins: {
          legend: { labels: { color: text } },
          tooltip: {
            callbacks: {
              label: (item) =>
                item.datasetIndex === 1
                  ? `Revenue: ${formatMoney(Number(item.raw), currency)}`
                  : `Orders: ${String(item.raw)}`,
            },
          },
        },
        scales: {
          x: { ticks: { color: text }, grid: { color: grid } },
          orders: {
            position: 'left',
            beginAtZero: true,
            ticks: { color: text, precision: 0 },
            grid: { color: grid },
          },
          revenue: {
            position: 'right',
            beginAtZero: true,
            ticks: { color: text, callback: (value) => formatMoney(Number(value), currency) },
            grid: { drawOnChartArea: false },
          },
        },
      },
    })
    return () => {
      chart.current?.destroy()
      chart.current = null
    }
  }, [currency])

  useEffect(() => {
    const current = chart.current
    if (!current) return
    current.data.labels = days.map((day) => day.date.slice(5))
    current.data.datasets = [
      {
        type: 'bar',
        label: 'Orders',
        data: days.map((day) => day.orders),
        yAxisID: 'orders',
        backgroundColor: themeColour('--theme-elevation-300', '#bbb'),
      },
      {
        type: 'line',
        label: 'Revenue',
        data: days.map((day) => day.revenue),
        yAxisID: 'revenue',
        borderColor: themeColour('--theme-success-500', '#2a8'),
        backgroundColor: themeColour('--theme-success-500', '#2a8'),
        pointRadius: 2,
      },
    ]
    current.update()
  }, [days])

  return (
    <div className="store-dashboard__chart">
      <canvas ref={canvas} aria-label="Orders and revenue per day, last 30 days" role="img" />
    </div>
  )
}
