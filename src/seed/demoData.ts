// The demo catalog `npm run seed` adds: a few brands, a three-level category tree and 55 products,
// three of them sold in sizes × colours (variants).
// Everything is deterministic, so a second run finds exactly what the first one created.

export const DEMO_SKU_PREFIX = 'DEMO-'
export const DEMO_FILE_PREFIX = 'demo-'

export type DemoBrand = { slug: string; name: string; colour: string }

export const DEMO_BRANDS: readonly DemoBrand[] = [
  { slug: 'northwind-home', name: 'Northwind Home', colour: '#2f6f8f' },
  { slug: 'ironleaf', name: 'Ironleaf', colour: '#4f7a3a' },
  { slug: 'harbor-and-co', name: 'Harbor & Co', colour: '#8f3f2f' },
  { slug: 'summit-outfitters', name: 'Summit Outfitters', colour: '#3f4f8f' },
  { slug: 'lumen-studio', name: 'Lumen Studio', colour: '#b08a1f' },
]

export type DemoCategory = { slug: string; name: string; parent?: string; image?: boolean }

/** Parents come before their children. */
export const DEMO_CATEGORIES: readonly DemoCategory[] = [
  { slug: 'home', name: 'Home', image: true },
  { slug: 'kitchen', name: 'Kitchen', parent: 'home', image: true },
  { slug: 'cookware', name: 'Cookware', parent: 'kitchen' },
  { slug: 'tableware', name: 'Tableware', parent: 'kitchen' },
  { slug: 'living', name: 'Living', parent: 'home', image: true },
  { slug: 'lighting', name: 'Lighting', parent: 'living' },
  { slug: 'textiles', name: 'Textiles', parent: 'living' },
  { slug: 'apparel', name: 'Apparel', image: true },
  { slug: 'men', name: 'Men', parent: 'apparel' },
  { slug: 'women', name: 'Women', parent: 'apparel' },
  { slug: 'outdoor', name: 'Outdoor', image: true },
  { slug: 'camping', name: 'Camping', parent: 'outdoor' },
]

export type DemoProduct = {
  sku: string
  title: string
  brand: string
  categories: string[]
  /** Minor units (cents). */
  price: number
  compareAtPrice?: number
  stock: number
  status: 'draft' | 'published'
  description: string
  /** Sub images besides the main one: 0, 1 or 2. */
  extraImages: number
  /** Sold in these options, through `variants` (the product's own stock is then 0). */
  options?: { name: string; values: string[] }[]
  variants?: DemoVariant[]
}

/** One combination on sale; its image is the one of its colour. */
export type DemoVariant = { options: Record<string, string>; sku: string; stock: number; price?: number }

// [title, brand, categories, price in cents, one-line description]
type Row = [string, string, string[], number, string]

const ROWS: readonly Row[] = [
  // Cookware
  ['Cast Iron Skillet 26 cm', 'ironleaf', ['cookware'], 4900, 'Pre-seasoned and oven safe up to 260 °C.'],
  ['Carbon Steel Wok', 'ironleaf', ['cookware'], 5900, 'Light, fast to heat and made for high-heat cooking.'],
  [
    'Enamel Dutch Oven 5 L',
    'northwind-home',
    ['cookware'],
    12900,
    'Slow braises and crusty bread in one pot.',
  ],
  [
    'Stainless Saucepan 2 L',
    'northwind-home',
    ['cookware'],
    3900,
    'Tri-ply base that heats evenly on induction.',
  ],
  ['Non-Stick Frying Pan 28 cm', 'harbor-and-co', ['cookware'], 3499, 'Ceramic coating, free of PFAS.'],
  ['Copper Butter Warmer', 'harbor-and-co', ['cookware'], 2999, 'A small pot for sauces, butter and milk.'],
  ['Stock Pot 8 L', 'ironleaf', ['cookware'], 6900, 'Heavy base and a tight lid for long simmering.'],
  [
    'Grill Pan with Press',
    'ironleaf',
    ['cookware', 'camping'],
    5499,
    'Sear marks indoors or over a campfire.',
  ],
  // Tableware
  [
    'Stoneware Dinner Plate',
    'northwind-home',
    ['tableware'],
    1800,
    'Reactive glaze, each one slightly different.',
  ],
  [
    'Porcelain Mug Set of 4',
    'northwind-home',
    ['tableware'],
    3200,
    'Thin-walled mugs that keep coffee warm.',
  ],
  [
    'Linen Napkins Set of 6',
    'harbor-and-co',
    ['tableware', 'textiles'],
    2800,
    'Stonewashed linen, softer with every wash.',
  ],
  ['Glass Tumblers Set of 6', 'lumen-studio', ['tableware'], 2400, 'Mouth-blown glass with a heavy base.'],
  [
    'Olive Wood Serving Board',
    'harbor-and-co',
    ['tableware'],
    4500,
    'One piece of olive wood, oiled by hand.',
  ],
  ['Ceramic Salad Bowl', 'northwind-home', ['tableware'], 3600, 'Wide and shallow, for salads and pasta.'],
  ['Cutlery Set 24 Pieces', 'ironleaf', ['tableware'], 8900, 'Brushed stainless steel, dishwasher safe.'],
  // Lighting
  ['Brass Table Lamp', 'lumen-studio', ['lighting'], 11900, 'Solid brass with a linen shade.'],
  ['Paper Pendant Shade', 'lumen-studio', ['lighting'], 5900, 'Rice paper over a bamboo frame.'],
  [
    'Adjustable Floor Lamp',
    'lumen-studio',
    ['lighting'],
    15900,
    'A swinging arm that reaches over the sofa.',
  ],
  [
    'Ceramic Wall Sconce',
    'northwind-home',
    ['lighting'],
    7900,
    'Matte white ceramic that softens the light.',
  ],
  ['Rechargeable Desk Light', 'lumen-studio', ['lighting'], 4900, 'Dimmable, with a day of battery life.'],
  [
    'Camping Lantern LED',
    'summit-outfitters',
    ['camping', 'lighting'],
    3900,
    'Three brightness settings and a hook.',
  ],
  ['Glass Globe Pendant', 'lumen-studio', ['lighting'], 8900, 'Opal glass that glows evenly.'],
  // Textiles
  ['Wool Throw Blanket', 'harbor-and-co', ['textiles'], 8900, 'Lambswool woven in a herringbone pattern.'],
  ['Linen Cushion Cover', 'harbor-and-co', ['textiles'], 2900, 'Hidden zip, fits a 50 × 50 cm insert.'],
  ['Cotton Bath Towel', 'northwind-home', ['textiles'], 2200, 'Heavy terry that dries quickly.'],
  [
    'Jute Area Rug 160 × 230',
    'northwind-home',
    ['textiles'],
    19900,
    'Hand-woven jute with a cotton backing.',
  ],
  [
    'Velvet Curtain Panel',
    'harbor-and-co',
    ['textiles'],
    6900,
    'Lined velvet that blocks the morning light.',
  ],
  ['Knitted Pouf', 'northwind-home', ['textiles'], 7400, 'Chunky cotton knit over a firm filling.'],
  ['Waffle Bathrobe', 'harbor-and-co', ['textiles'], 6400, 'Light cotton waffle, one size fits most.'],
  // Men
  ['Merino Crew Sweater', 'summit-outfitters', ['men'], 8900, 'Fine merino that does not itch.'],
  ['Oxford Button-Down Shirt', 'harbor-and-co', ['men'], 5900, 'Washed cotton oxford with a soft collar.'],
  ['Selvedge Denim Jeans', 'harbor-and-co', ['men'], 11900, 'Raw selvedge denim, straight leg.'],
  [
    'Waxed Canvas Jacket',
    'summit-outfitters',
    ['men', 'outdoor'],
    18900,
    'Water resistant and made to patina.',
  ],
  ['Organic Cotton T-Shirt', 'summit-outfitters', ['men'], 2500, 'Heavyweight jersey that keeps its shape.'],
  ['Leather Belt', 'ironleaf', ['men'], 4500, 'Vegetable-tanned leather with a brass buckle.'],
  ['Wool Beanie', 'summit-outfitters', ['men', 'women'], 2200, 'Ribbed wool, warm without bulk.'],
  // Women
  ['Linen Wrap Dress', 'harbor-and-co', ['women'], 9900, 'Breathable linen with a tie waist.'],
  ['Cashmere Scarf', 'harbor-and-co', ['women'], 7900, 'Pure cashmere, generously sized.'],
  ['High-Rise Trousers', 'harbor-and-co', ['women'], 8400, 'Tailored wool blend with pressed creases.'],
  ['Rain Parka', 'summit-outfitters', ['women', 'outdoor'], 16900, 'Fully taped seams and a packable hood.'],
  ['Silk Blouse', 'harbor-and-co', ['women'], 10900, 'Washable silk with mother-of-pearl buttons.'],
  ['Knit Cardigan', 'summit-outfitters', ['women'], 7400, 'Relaxed fit in a cotton and wool blend.'],
  ['Canvas Tote Bag', 'northwind-home', ['women'], 3400, 'Heavy canvas with leather handles.'],
  // Camping
  ['Two-Person Tent', 'summit-outfitters', ['camping'], 24900, 'Pitches in five minutes, weighs 2.1 kg.'],
  ['Down Sleeping Bag', 'summit-outfitters', ['camping'], 27900, 'Rated to −5 °C and packs down small.'],
  ['Insulated Water Bottle', 'summit-outfitters', ['camping'], 2900, 'Cold for a day, hot for twelve hours.'],
  ['Folding Camp Chair', 'summit-outfitters', ['camping'], 5900, 'Aluminium frame, folds into its own bag.'],
  ['Enamel Camp Mug', 'ironleaf', ['camping', 'tableware'], 1400, 'Enamelled steel that goes on the stove.'],
  ['Titanium Spork', 'summit-outfitters', ['camping'], 999, 'Weighs 18 grams.'],
  ['Headlamp 400 Lumen', 'summit-outfitters', ['camping'], 3900, 'Red light mode and USB-C charging.'],
  [
    'Trail Backpack 30 L',
    'summit-outfitters',
    ['camping', 'outdoor'],
    12900,
    'Ventilated back panel and a rain cover.',
  ],
  [
    'Cast Iron Camp Kettle',
    'ironleaf',
    ['camping', 'cookware'],
    4400,
    'Boils water over coals or a gas ring.',
  ],
]

const DRAFTS = new Set([7, 23, 41])
const OUT_OF_STOCK = new Set([3, 17, 30, 44])
const LOW_STOCK = new Set([5, 12, 26, 38, 49])

const SIMPLE_PRODUCTS: readonly DemoProduct[] = ROWS.map(([title, brand, categories, price, line], i) => {
  const stock = OUT_OF_STOCK.has(i) ? 0 : LOW_STOCK.has(i) ? 3 : 8 + ((i * 37) % 120)
  // Every fourth product is on sale: the former price is about a quarter higher, ending in 00.
  const compareAtPrice = i % 4 === 1 ? Math.ceil((price * 1.25) / 100) * 100 : undefined
  return {
    sku: `${DEMO_SKU_PREFIX}${String(i + 1).padStart(4, '0')}`,
    title,
    brand,
    categories,
    price,
    compareAtPrice,
    stock,
    status: DRAFTS.has(i) ? 'draft' : 'published',
    description: `${line} A demo product from the seed catalog.`,
    extraImages: i % 3,
  }
})

// [title, brand, categories, price in cents, sizes, colours, one-line description]
type ApparelRow = [string, string, string[], number, string[], string[], string]

const APPAREL: readonly ApparelRow[] = [
  [
    'Organic Cotton Tee',
    'harbor-and-co',
    ['men', 'women'],
    2400,
    ['S', 'M', 'L', 'XL'],
    ['White', 'Navy', 'Olive'],
    'Heavyweight jersey, garment dyed.',
  ],
  [
    'Fleece Hoodie',
    'summit-outfitters',
    ['men'],
    6400,
    ['S', 'M', 'L'],
    ['Grey', 'Black'],
    'Brushed inside, with a kangaroo pocket.',
  ],
  [
    'Trail Running Shoe',
    'summit-outfitters',
    ['camping', 'women'],
    11900,
    ['38', '40', '42', '44'],
    ['Red', 'Blue'],
    'Grippy outsole and a rock plate.',
  ],
]

/** Products with variants: every size in every colour, the largest size a little dearer. */
const WITH_VARIANTS: readonly DemoProduct[] = APPAREL.map(
  ([title, brand, categories, price, sizes, colours, line], i) => {
    const sku = `${DEMO_SKU_PREFIX}${String(SIMPLE_PRODUCTS.length + i + 1).padStart(4, '0')}`
    const variants = colours.flatMap((colour, c) =>
      sizes.map((size, s) => ({
        options: { Size: size, Colour: colour },
        sku: `${sku}-${size}-${colour.toUpperCase()}`,
        // Some sold out, some low, the rest plenty.
        stock: (s + c) % 5 === 3 ? 0 : (s + c) % 5 === 1 ? 2 : 10 + ((s * 7 + c * 3) % 20),
        ...(s === sizes.length - 1 && { price: price + 300 }),
      })),
    )
    return {
      sku,
      title,
      brand,
      categories,
      price,
      stock: 0,
      status: 'published',
      description: `${line} A demo product from the seed catalog, in several sizes and colours.`,
      extraImages: 0,
      options: [
        { name: 'Size', values: sizes },
        { name: 'Colour', values: colours },
      ],
      variants,
    }
  },
)

export const DEMO_PRODUCTS: readonly DemoProduct[] = [...SIMPLE_PRODUCTS, ...WITH_VARIANTS]
