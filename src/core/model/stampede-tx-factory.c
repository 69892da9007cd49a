/* stampede-tx-factory.c — seeded, reproducible stream of transactions
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "stampede-tx-factory.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

/*
 * The world the factory draws from.  Cards and merchants are not stored:
 * each one's attributes are a pure function of its index, so every worker
 * (each with its own factory) agrees on what card-000123 is, and a target
 * that keeps per-card state sees one consistent card whichever worker sent
 * the transaction.  Only the choice of which card and merchant to use next
 * comes from the seeded generator.
 */
#define N_CARDS               50000
#define MERCHANTS_PER_COUNTRY 400
#define N_HIGH_RISK_SLOTS     24
#define RECENT_RING           64

typedef struct {
  char        code[3];
  char        currency[4];
  double      lat;
  double      lon;
  double      spread;       /* degrees around the centre */
  guint       card_weight;  /* share of the card population; 0 = none */
  gboolean    offshore;     /* a usual registration for gambling and
                             * crypto merchants that target other countries */
  const char *stems[4];     /* merchant name stems in the local style */
} Country;

static const Country countries[] = {
  { "US", "USD", 39.0, -95.0, 10.0, 25, FALSE,
    { "Main Street", "Liberty", "Golden Gate", "Lakeside" } },
  { "GB", "GBP", 52.5, -1.5, 2.0, 8, FALSE,
    { "Crown", "Thames", "Highland", "Oak & Ivy" } },
  { "FR", "EUR", 46.6, 2.4, 3.0, 8, FALSE,
    { "Café Nord", "Boulangerie Élise", "Côte d'Azur", "Le Zinc" } },
  { "DE", "EUR", 51.2, 10.4, 2.5, 9, FALSE,
    { "Müller", "Bäckerei Schön", "Rheinufer", "Straßeneck" } },
  { "ES", "EUR", 40.4, -3.7, 3.0, 5, FALSE,
    { "Señora Peña", "Sol y Sombra", "La Niña", "Mercado Real" } },
  { "IT", "EUR", 42.8, 12.5, 3.0, 5, FALSE,
    { "Caffè Roma", "Bottega", "Città Alta", "Amalfi" } },
  { "NL", "EUR", 52.2, 5.3, 1.0, 3, FALSE,
    { "Grachten", "Tulp", "Oranje", "IJssel" } },
  { "SE", "SEK", 59.3, 18.0, 3.0, 2, FALSE,
    { "Kafé Ängel", "Fjällbo", "Sjöbod", "Norrland" } },
  { "CH", "CHF", 46.8, 8.2, 1.0, 2, FALSE,
    { "Zürichsee", "Bergblick", "Genève Lac", "Alpenrose" } },
  { "PL", "PLN", 52.0, 19.4, 2.0, 3, FALSE,
    { "Łazienki", "Kraków Smak", "Źródło", "Wisła" } },
  { "CA", "CAD", 45.5, -75.0, 5.0, 4, FALSE,
    { "Maple", "Érable", "Northern", "Lakehead" } },
  { "MX", "MXN", 19.4, -99.1, 4.0, 4, FALSE,
    { "La Esquina", "Jalapeño", "Cielito", "Azteca" } },
  { "BR", "BRL", -23.5, -46.6, 5.0, 5, FALSE,
    { "São Bento", "Padaria Paulista", "Ipanema", "Açaí" } },
  { "AU", "AUD", -33.9, 151.2, 5.0, 3, FALSE,
    { "Harbour", "Outback", "Coral", "Wattle" } },
  { "SG", "SGD", 1.35, 103.8, 0.1, 1, FALSE,
    { "Marina", "Lion City", "Orchard", "Kampong" } },
  { "CN", "CNY", 31.2, 121.5, 5.0, 6, FALSE,
    { "长城", "明月", "金龙", "和平" } },
  { "JP", "JPY", 35.7, 139.7, 3.0, 5, FALSE,
    { "東京ラーメン", "さくら", "富士", "青空" } },
  { "KR", "KRW", 37.6, 127.0, 1.5, 3, FALSE,
    { "서울", "한강", "별빛", "청솔" } },
  { "IN", "INR", 19.1, 72.9, 6.0, 5, FALSE,
    { "Ganga", "Lotus", "Chai Corner", "Saffron" } },
  { "ZA", "ZAR", -26.2, 28.0, 3.0, 2, FALSE,
    { "Protea", "Karoo", "Table Bay", "Ubuntu" } },
  { "NG", "NGN", 6.5, 3.4, 2.0, 2, FALSE,
    { "Lagos Mart", "Eko", "Naija", "Zobo" } },
  { "KW", "KWD", 29.4, 47.9, 0.3, 1, FALSE,
    { "السلام", "Gulf Pearl", "Al Hamra", "Souq" } },
  { "BH", "BHD", 26.2, 50.6, 0.1, 1, FALSE,
    { "المنامة", "Pearl Bay", "Dilmun", "Seef" } },
  { "MT", "EUR", 35.9, 14.5, 0.1, 0, TRUE,
    { "Valletta", "Gozo", "Mdina", "Sliema" } },
  { "CY", "EUR", 35.1, 33.4, 0.4, 0, TRUE,
    { "Λεμεσός", "Aphrodite", "Troodos", "Kyrenia" } },
  { "PA", "USD", 9.0, -79.5, 0.5, 0, TRUE,
    { "Canal", "Istmo", "Balboa", "Pacífico" } },
};

#define N_COUNTRIES G_N_ELEMENTS (countries)

typedef enum {
  CHANNEL_POS,
  CHANNEL_ECOM,
  CHANNEL_ATM,
  CHANNEL_MIXED,   /* point of sale mostly, some online */
} ChannelKind;

typedef struct {
  char        mcc[5];
  const char *kind;        /* ends the merchant's name */
  double      spend;       /* typical amount as a multiple of the card's */
  ChannelKind channel;
} Category;

/* Everyday categories, one per merchant slot above the high-risk ones. */
static const Category categories[] = {
  { "5411", "Market", 1.0, CHANNEL_MIXED },
  { "5812", "Bistro", 1.2, CHANNEL_POS },
  { "5814", "Snacks", 0.3, CHANNEL_POS },
  { "5541", "Fuel", 1.1, CHANNEL_POS },
  { "5311", "Store", 1.5, CHANNEL_MIXED },
  { "5999", "Shop", 0.8, CHANNEL_MIXED },
  { "4111", "Transit", 0.12, CHANNEL_MIXED },
  { "5912", "Pharmacy", 0.6, CHANNEL_POS },
  { "5732", "Electronics", 3.0, CHANNEL_MIXED },
  { "7011", "Hotel", 4.0, CHANNEL_MIXED },
  { "4121", "Taxi", 0.5, CHANNEL_MIXED },
  { "5651", "Fashion", 1.6, CHANNEL_MIXED },
  { "5942", "Books", 0.5, CHANNEL_MIXED },
  { "5815", "Digital", 0.25, CHANNEL_ECOM },
  { "5944", "Jewellers", 6.0, CHANNEL_MIXED },
  { "6011", "Cash Point", 2.0, CHANNEL_ATM },
};

enum {
  CAT_RESTAURANT = 1,
  CAT_SHOP = 5,
  CAT_ELECTRONICS = 8,
  CAT_DIGITAL = 13,
  CAT_JEWELLERS = 14,
  CAT_CASH_POINT = 15,
};

/* Gambling, quasi-cash (crypto) and money transfer. */
static const Category high_risk_categories[] = {
  { "7995", "Bets", 1.0, CHANNEL_ECOM },
  { "6051", "Crypto Exchange", 1.0, CHANNEL_ECOM },
  { "4829", "Money Transfer", 1.0, CHANNEL_ECOM },
};

/*
 * Merchants whose names are hard on a parser: quotes, a backslash,
 * control characters, combining marks, right-to-left script, emoji.  They
 * follow the country merchants in the id space.
 */
typedef struct {
  const char *name;
  const char *country;
} OddMerchant;

static const OddMerchant odd_merchants[] = {
  { "Żółć & Ćma \"Ąę\" Sp. z o.o.", "PL" },
  { "Back\\Slash Records", "GB" },
  { "カフェ・ド・パリ 新宿店", "JP" },
  { "مطعم الشرق الأوسط", "KW" },
  { "Crème Brûlée ☕ & Co", "FR" },
  { "Tab\tand\nNewline Deli", "US" },
  { "Ψητοπωλείο «Ο Νίκος»", "CY" },
  { "Ölüdeniz Döner ÇŞĞ", "DE" },
  { "🍕 Pizza Ñapoli 🍕", "IT" },
  { "Cafe\xcc\x81 Combining", "FR" },
};

typedef struct {
  guint  index;
  guint  country;
  double typical_usd;
} Card;

typedef struct {
  guint           index;
  guint           country;
  const Category *category;
  const char     *odd_name;  /* NULL for country merchants */
} Merchant;

typedef struct {
  guint  card;
  double lat;
  double lon;
} Sighting;

struct _StampedeTxFactory {
  guint64  state[4];
  guint64  next_seq;
  guint64  stream_bits;

  guint    country_weight_total;
  double   usd_rate[N_COUNTRIES];
  guint8   minor_units[N_COUNTRIES];

  /* The card being tested in the current card-testing burst. */
  guint    burst_card;
  guint    burst_merchant;
  guint    burst_left;

  /* Where recent legitimate transactions happened, for impossible
   * travel: the fraud shows up far from a place the card was just seen. */
  Sighting recent[RECENT_RING];
  guint    recent_len;
  guint    recent_next;
};

/* splitmix64: spreads a counter or an index over 64 well-mixed bits. */
static inline guint64
mix64 (guint64 x)
{
  x += 0x9e3779b97f4a7c15ull;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;

  return x ^ (x >> 31);
}

static inline guint64
rotl (guint64 x,
      int     k)
{
  return (x << k) | (x >> (64 - k));
}

/* xoshiro256**: small, fast and private to the factory, unlike
 * g_random_*, whose state is shared by the whole process. */
static inline guint64
next_u64 (StampedeTxFactory *self)
{
  guint64 *s = self->state;
  guint64 result = rotl (s[1] * 5, 7) * 9;
  guint64 t = s[1] << 17;

  s[2] ^= s[0];
  s[3] ^= s[1];
  s[1] ^= s[2];
  s[0] ^= s[3];
  s[2] ^= t;
  s[3] = rotl (s[3], 45);

  return result;
}

/* Uniform in [0, 1). */
static inline double
uniform (StampedeTxFactory *self)
{
  return (double) (next_u64 (self) >> 11) * 0x1.0p-53;
}

static inline double
uniform_range (StampedeTxFactory *self,
               double             lo,
               double             hi)
{
  return lo + (hi - lo) * uniform (self);
}

/* Uniform in [0, n), by multiply-and-shift instead of a modulo. */
static inline guint
below (StampedeTxFactory *self,
       guint              n)
{
  return (guint) (((next_u64 (self) >> 32) * (guint64) n) >> 32);
}

static inline gboolean
chance (StampedeTxFactory *self,
        double             p)
{
  return uniform (self) < p;
}

/* A standard normal deviate from two uniforms (Box–Muller). */
static double
normal_from (double u1,
             double u2)
{
  return sqrt (-2.0 * log (1.0 - u1)) * cos (2.0 * G_PI * u2);
}

static inline double
hash_uniform (guint64 key)
{
  return (double) (mix64 (key) >> 11) * 0x1.0p-53;
}

static Card
card_at (const StampedeTxFactory *self,
         guint                    index)
{
  guint64 key = (guint64) index << 8;
  guint pick = (guint) (hash_uniform (key) * self->country_weight_total);
  Card card = { index, 0, 0 };
  double z;

  while (pick >= countries[card.country].card_weight) {
    pick -= countries[card.country].card_weight;
    card.country++;
  }

  /* Typical spend is log-normal around 45 USD: most cards buy coffee and
   * groceries, a few routinely spend hundreds. */
  z = normal_from (hash_uniform (key + 1), hash_uniform (key + 2));
  card.typical_usd = 45.0 * exp (0.7 * z);

  return card;
}

static Merchant
merchant_at (guint index)
{
  Merchant merchant = { index, 0, NULL, NULL };
  guint slot;

  if (index >= N_COUNTRIES * MERCHANTS_PER_COUNTRY) {
    const OddMerchant *odd;

    odd = &odd_merchants[index - N_COUNTRIES * MERCHANTS_PER_COUNTRY];
    merchant.odd_name = odd->name;
    merchant.category = &categories[CAT_RESTAURANT];
    while (strcmp (countries[merchant.country].code, odd->country) != 0)
      merchant.country++;

    return merchant;
  }

  merchant.country = index / MERCHANTS_PER_COUNTRY;
  slot = index % MERCHANTS_PER_COUNTRY;
  if (slot < N_HIGH_RISK_SLOTS)
    merchant.category = &high_risk_categories[slot % 3];
  else
    merchant.category = &categories[(slot - N_HIGH_RISK_SLOTS)
                                    % G_N_ELEMENTS (categories)];

  return merchant;
}

/* A merchant of @category in @country, chosen at random among the slots
 * that hold that category. */
static guint
pick_merchant (StampedeTxFactory *self,
               guint              country,
               guint              category)
{
  guint n_categories = G_N_ELEMENTS (categories);
  guint per_category = (MERCHANTS_PER_COUNTRY - N_HIGH_RISK_SLOTS
                        - category + n_categories - 1) / n_categories;
  guint slot = N_HIGH_RISK_SLOTS + category
               + n_categories * below (self, per_category);

  return country * MERCHANTS_PER_COUNTRY + slot;
}

static guint
pick_high_risk_merchant (StampedeTxFactory *self,
                         guint              country)
{
  return country * MERCHANTS_PER_COUNTRY + below (self, N_HIGH_RISK_SLOTS);
}

static guint
pick_everyday_category (StampedeTxFactory *self)
{
  /* Groceries, restaurants and fuel dominate real card volume. */
  static const guint8 weights[] = {
    22, 12, 12, 9, 6, 6, 7, 4, 2, 1, 3, 4, 2, 5, 1, 4,
  };
  guint pick = below (self, 100);
  guint i = 0;

  G_STATIC_ASSERT (G_N_ELEMENTS (weights) == G_N_ELEMENTS (categories));

  while (pick >= weights[i]) {
    pick -= weights[i];
    i++;
  }

  return i;
}

static guint
pick_other_country (StampedeTxFactory *self,
                    guint              home)
{
  guint country;

  do {
    country = below (self, N_COUNTRIES);
  } while (country == home || countries[country].offshore);

  return country;
}

static guint
pick_offshore_country (StampedeTxFactory *self)
{
  guint country;

  do {
    country = below (self, N_COUNTRIES);
  } while (!countries[country].offshore);

  return country;
}

static double
distance_km (double lat1,
             double lon1,
             double lat2,
             double lon2)
{
  double rad = G_PI / 180.0;
  double dlat = (lat2 - lat1) * rad;
  double dlon = (lon2 - lon1) * rad;
  double a = sin (dlat / 2) * sin (dlat / 2)
             + cos (lat1 * rad) * cos (lat2 * rad)
               * sin (dlon / 2) * sin (dlon / 2);

  return 2 * 6371.0 * asin (MIN (1.0, sqrt (a)));
}

/* Copies at most @size - 1 bytes of @src without cutting a UTF-8
 * character in two. */
static void
copy_utf8 (char       *dest,
           gsize       size,
           const char *src)
{
  gsize n = strlen (src);

  if (n >= size) {
    n = size - 1;
    while (n > 0 && ((guchar) src[n] & 0xc0) == 0x80)
      n--;
  }

  memcpy (dest, src, n);
  dest[n] = '\0';
}

static const char *
channel_for (StampedeTxFactory *self,
             ChannelKind        kind)
{
  switch (kind) {
  case CHANNEL_POS:
    return "pos";
  case CHANNEL_ECOM:
    return "ecom";
  case CHANNEL_ATM:
    return "atm";
  case CHANNEL_MIXED:
  default:
    return chance (self, 0.2) ? "ecom" : "pos";
  }
}

/* The channel of a purchase made in person in @category. */
static const char *
in_person_channel (guint category)
{
  return categories[category].channel == CHANNEL_ATM ? "atm" : "pos";
}

/* An everyday category where the card has to be present. */
static guint
pick_in_person_category (StampedeTxFactory *self)
{
  guint category;

  do {
    category = pick_everyday_category (self);
  } while (categories[category].channel == CHANNEL_ECOM);

  return category;
}

/* Fills @out with a transaction of @card at @merchant_index for about
 * @usd dollars, in the merchant's currency. */
static void
fill (StampedeTxFactory   *self,
      StampedeTransaction *out,
      const Card          *card,
      guint                merchant_index,
      double               usd,
      const char          *channel,
      gint64               now_ms)
{
  Merchant merchant = merchant_at (merchant_index);
  const Country *country = &countries[merchant.country];
  guint64 key = (guint64) merchant_index << 8 | 0x80;
  double scale;

  memset (out, 0, sizeof *out);
  out->id = self->stream_bits | self->next_seq++;
  snprintf (out->card_id, sizeof out->card_id, "card-%06u", card->index);
  snprintf (out->merchant_id, sizeof out->merchant_id, "m-%06u",
            merchant_index);

  if (merchant.odd_name != NULL) {
    copy_utf8 (out->merchant_name, sizeof out->merchant_name,
               merchant.odd_name);
  } else {
    const char *stem = country->stems[mix64 (key) % 4];

    snprintf (out->merchant_name, sizeof out->merchant_name, "%s %s",
              stem, merchant.category->kind);
  }

  memcpy (out->mcc, merchant.category->mcc, sizeof out->mcc);
  memcpy (out->country, country->code, 2);
  memcpy (out->card_country, countries[card->country].code, 2);
  memcpy (out->currency, country->currency, 3);

  out->minor_units = self->minor_units[merchant.country];
  scale = pow (10, out->minor_units);
  out->amount_minor = llround (MAX (usd, 0) / self->usd_rate[merchant.country]
                               * scale);
  out->amount_usd = (double) out->amount_minor / scale
                    * self->usd_rate[merchant.country];

  out->lat = country->lat
             + (hash_uniform (key + 1) - 0.5) * 2 * country->spread;
  out->lon = country->lon
             + (hash_uniform (key + 2) - 0.5) * 2 * country->spread;
  g_strlcpy (out->channel, channel, sizeof out->channel);
  out->timestamp_ms = now_ms;

  out->kind = STAMPEDE_TX_LEGIT;
  out->typology = "";
}

/* An everyday purchase of @card, at home or, now and then, abroad. */
static void
make_everyday (StampedeTxFactory   *self,
               StampedeTransaction *out,
               const Card          *card,
               gint64               now_ms)
{
  guint category = pick_everyday_category (self);
  const Category *cat = &categories[category];
  guint country = card->country;
  double usd;

  if (chance (self, 0.05))
    country = pick_other_country (self, card->country);

  usd = card->typical_usd * cat->spend
        * exp (0.6 * normal_from (uniform (self), uniform (self)));

  /* Some honest purchases are big for the card: a new phone, a holiday.
   * They overlap with account takeover on amount alone. */
  if (chance (self, 0.02))
    usd *= uniform_range (self, 4, 12);

  /* A few legitimate bets and crypto purchases, at home. */
  if (chance (self, 0.01)) {
    fill (self, out, card, pick_high_risk_merchant (self, card->country),
          MAX (usd, 5), "ecom", now_ms);
    return;
  }

  fill (self, out, card, pick_merchant (self, country, category),
        MAX (usd, 0.5), channel_for (self, cat->channel), now_ms);
}

static void
remember (StampedeTxFactory         *self,
          const Card                *card,
          const StampedeTransaction *tx)
{
  Sighting *s = &self->recent[self->recent_next];

  s->card = card->index;
  s->lat = tx->lat;
  s->lon = tx->lon;
  self->recent_next = (self->recent_next + 1) % RECENT_RING;
  self->recent_len = MIN (self->recent_len + 1, RECENT_RING);
}

static void
make_legit (StampedeTxFactory   *self,
            StampedeTransaction *out,
            gint64               now_ms)
{
  Card card = card_at (self, below (self, N_CARDS));

  make_everyday (self, out, &card, now_ms);
  if (strcmp (out->channel, "ecom") != 0)
    remember (self, &card, out);
}

/* Small online amounts in a quick series on one card, at one merchant,
 * to find out whether stolen card details work. */
static void
make_card_testing (StampedeTxFactory   *self,
                   StampedeTransaction *out,
                   gint64               now_ms)
{
  Card card;
  double usd;

  if (self->burst_left == 0) {
    guint country = chance (self, 0.6) ? pick_offshore_country (self)
                                       : below (self, N_COUNTRIES);

    self->burst_card = below (self, N_CARDS);
    self->burst_merchant = pick_merchant (self, country, CAT_DIGITAL);
    self->burst_left = 4 + below (self, 7);
  }
  self->burst_left--;

  card = card_at (self, self->burst_card);
  usd = chance (self, 0.5) ? 1.0 : uniform_range (self, 0.3, 2.5);
  fill (self, out, &card, self->burst_merchant, usd, "ecom", now_ms);
}

/* Someone else drives the account: large online purchases of resellable
 * goods, often from another country.  Some stay modest and local. */
static void
make_account_takeover (StampedeTxFactory   *self,
                       StampedeTransaction *out,
                       gint64               now_ms)
{
  static const guint goods[] = { CAT_ELECTRONICS, CAT_JEWELLERS, CAT_DIGITAL };
  Card card = card_at (self, below (self, N_CARDS));
  guint country = card.country;
  double usd;

  if (chance (self, 0.5))
    country = pick_other_country (self, card.country);

  if (chance (self, 0.15))
    usd = card.typical_usd * uniform_range (self, 1.5, 3);
  else
    usd = MIN (card.typical_usd * uniform_range (self, 6, 25), 9000);

  fill (self, out, &card, pick_merchant (self, country, goods[below (self, 3)]),
        usd, chance (self, 0.8) ? "ecom" : "pos", now_ms);
}

/* A card present far away from where it was just used. */
static void
make_impossible_travel (StampedeTxFactory   *self,
                        StampedeTransaction *out,
                        gint64               now_ms)
{
  Card card;
  double lat, lon;
  guint country, category;

  if (self->recent_len > 0) {
    const Sighting *s = &self->recent[below (self, self->recent_len)];

    card = card_at (self, s->card);
    lat = s->lat;
    lon = s->lon;
  } else {
    card = card_at (self, below (self, N_CARDS));
    lat = countries[card.country].lat;
    lon = countries[card.country].lon;
  }

  /* Every country is at least 3000 km from some other, so this ends. */
  do {
    country = pick_other_country (self, card.country);
  } while (distance_km (lat, lon, countries[country].lat,
                        countries[country].lon) < 3000);

  if (chance (self, 0.3)) {
    fill (self, out, &card, pick_merchant (self, country, CAT_CASH_POINT),
          card.typical_usd * uniform_range (self, 2, 8), "atm", now_ms);
    return;
  }

  category = pick_in_person_category (self);
  fill (self, out, &card, pick_merchant (self, country, category),
        card.typical_usd * uniform_range (self, 0.8, 3),
        in_person_channel (category), now_ms);
}

/* Gambling, crypto and money transfer merchants, mostly registered
 * offshore. */
static void
make_high_risk_merchant (StampedeTxFactory   *self,
                         StampedeTransaction *out,
                         gint64               now_ms)
{
  Card card = card_at (self, below (self, N_CARDS));
  guint country = chance (self, 0.7) ? pick_offshore_country (self)
                                     : below (self, N_COUNTRIES);

  fill (self, out, &card, pick_high_risk_merchant (self, country),
        card.typical_usd * uniform_range (self, 1, 8), "ecom", now_ms);
}

static void
make_fraud (StampedeTxFactory   *self,
            StampedeTransaction *out,
            gint64               now_ms)
{
  double u = uniform (self);

  if (u < 0.35) {
    make_card_testing (self, out, now_ms);
    out->typology = "card_testing";
  } else if (u < 0.60) {
    make_account_takeover (self, out, now_ms);
    out->typology = "account_takeover";
  } else if (u < 0.80) {
    make_impossible_travel (self, out, now_ms);
    out->typology = "impossible_travel";
  } else {
    make_high_risk_merchant (self, out, now_ms);
    out->typology = "high_risk_merchant";
  }

  out->kind = STAMPEDE_TX_FRAUD;
}

static guint
country_index (const char *code)
{
  guint i = 0;

  while (strcmp (countries[i].code, code) != 0)
    i++;

  return i;
}

/* A purchase in person, abroad for most cards, in @country's currency. */
static void
make_visit (StampedeTxFactory   *self,
            StampedeTransaction *out,
            const Card          *card,
            const char          *country,
            gint64               now_ms)
{
  guint category = pick_in_person_category (self);

  fill (self, out, card,
        pick_merchant (self, country_index (country), category),
        card->typical_usd * uniform_range (self, 0.3, 2),
        in_person_channel (category), now_ms);
}

/* Drops some of the optional fields, always at least one. */
static void
drop_optional_fields (StampedeTxFactory   *self,
                      StampedeTransaction *out)
{
  guint mask = 1 + below (self, 7);

  if (mask & 1)
    out->merchant_name[0] = '\0';
  if (mask & 2)
    out->lat = out->lon = NAN;
  if (mask & 4)
    out->channel[0] = '\0';
}

static void
make_edge (StampedeTxFactory   *self,
           StampedeTransaction *out,
           gint64               now_ms)
{
  Card card = card_at (self, below (self, N_CARDS));
  double u = uniform (self);

  if (u < 0.15) {
    /* A card check: merchants authorise zero to verify a card. */
    fill (self, out, &card, pick_merchant (self, card.country, CAT_SHOP), 0,
          "ecom", now_ms);
    out->typology = "zero_amount";
  } else if (u < 0.30) {
    fill (self, out, &card, pick_merchant (self, card.country, CAT_JEWELLERS),
          uniform_range (self, 50e3, 2e6), "pos", now_ms);
    out->typology = "huge_amount";
  } else if (u < 0.50) {
    make_visit (self, out, &card, chance (self, 0.5) ? "JP" : "KR", now_ms);
    out->typology = "zero_decimal";
  } else if (u < 0.65) {
    make_visit (self, out, &card, chance (self, 0.5) ? "KW" : "BH", now_ms);
    out->typology = "three_decimal";
  } else if (u < 0.80) {
    guint odd = below (self, G_N_ELEMENTS (odd_merchants));

    fill (self, out, &card, N_COUNTRIES * MERCHANTS_PER_COUNTRY + odd,
          card.typical_usd * uniform_range (self, 0.3, 2), "pos", now_ms);
    out->typology = "non_ascii_merchant";
  } else {
    make_everyday (self, out, &card, now_ms);
    drop_optional_fields (self, out);
    out->typology = "missing_fields";
  }

  out->kind = STAMPEDE_TX_EDGE;
}

/**
 * stampede_tx_factory_new:
 * @seed: the seed of the whole run
 * @stream: which of the run's streams (one per worker)
 *
 * Creates a factory whose sequence of transactions depends only on @seed
 * and @stream.  Transaction ids carry @stream in their top 24 bits, so
 * streams of one run never share an id.
 *
 * Returns: (transfer full): a new factory
 */
StampedeTxFactory *
stampede_tx_factory_new (guint64 seed,
                         guint   stream)
{
  StampedeTxFactory *self;
  guint64 key = seed ^ (0xd1b54a32d192ed03ull * ((guint64) stream + 1));

  g_return_val_if_fail (stream < (1u << 24), NULL);

  self = g_new0 (StampedeTxFactory, 1);
  for (guint i = 0; i < 4; i++) {
    key += 0x9e3779b97f4a7c15ull;
    self->state[i] = mix64 (key);
  }
  self->stream_bits = (guint64) stream << 40;

  for (guint i = 0; i < N_COUNTRIES; i++) {
    self->country_weight_total += countries[i].card_weight;
    self->usd_rate[i] = stampede_currency_usd_rate (countries[i].currency);
    self->minor_units[i] =
      stampede_currency_minor_units (countries[i].currency);
    g_assert (self->usd_rate[i] > 0);
  }

  return self;
}

void
stampede_tx_factory_free (StampedeTxFactory *self)
{
  g_free (self);
}

/**
 * stampede_tx_factory_next:
 * @self: a factory
 * @now_ms: the timestamp to stamp, in Unix epoch milliseconds
 * @out: (out caller-allocates): the transaction
 *
 * Makes the next transaction of the stream: about 80 % legitimate, 15 %
 * fraud and 5 % edge cases.  @now_ms only sets the timestamp; it never
 * changes which transaction comes next.
 */
void
stampede_tx_factory_next (StampedeTxFactory   *self,
                          gint64               now_ms,
                          StampedeTransaction *out)
{
  double u;

  g_return_if_fail (self != NULL);
  g_return_if_fail (out != NULL);

  u = uniform (self);
  if (u < 0.80)
    make_legit (self, out, now_ms);
  else if (u < 0.95)
    make_fraud (self, out, now_ms);
  else
    make_edge (self, out, now_ms);
}
