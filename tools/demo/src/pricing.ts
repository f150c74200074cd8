import { CATEGORIES, type Product } from './catalog.js';
import { createRandom } from './zipf.js';

/** The pricing rules, as kept in the rules file and in `ConfigData`. */
export interface PricingRules {
  /** Bumped by whoever edits the file; every quote says which version priced it. */
  version: number;
  currency: string;
  markupPercent: number;
  vatPercent: number;
  shippingCentsPerKg: number;
  /** Discount by category name, in percent. */
  categoryDiscountPercent: Record<string, number>;
  /** Samples of the demand simulation per quote: the CPU-bound part that the workers take off the main thread. */
  demandSamples: number;
}

/** A priced product. */
export interface Quote {
  id: number;
  priceCents: number;
  currency: string;
  /** `version` of the rules that priced it. */
  rulesVersion: number;
}

export const INITIAL_RULES: PricingRules = {
  version: 1,
  currency: 'EUR',
  markupPercent: 30,
  vatPercent: 20,
  shippingCentsPerKg: 90,
  categoryDiscountPercent: { books: 5, toys: 10 },
  demandSamples: 4_000,
};

/** The half-way edit of the rules file: a new version with a summer sale. */
export function summerSale(rules: PricingRules): PricingRules {
  return { ...rules, version: rules.version + 1, markupPercent: 25, categoryDiscountPercent: { ...rules.categoryDiscountPercent, garden: 15, outdoor: 20 } };
}

/** Checks a candidate rules file; `ConfigData` keeps the old rules when this returns messages. */
export function validateRules(rules: PricingRules): true | string[] {
  const issues: string[] = [];
  if (!Number.isSafeInteger(rules.version) || rules.version < 1) issues.push('version must be a positive integer');
  if (typeof rules.currency !== 'string' || !/^[A-Z]{3}$/.test(rules.currency)) issues.push('currency must be an ISO 4217 code');
  for (const key of ['markupPercent', 'vatPercent', 'shippingCentsPerKg', 'demandSamples'] as const) {
    if (typeof rules[key] !== 'number' || !(rules[key] >= 0)) issues.push(`${key} must be a non-negative number`);
  }
  if (typeof rules.categoryDiscountPercent !== 'object' || rules.categoryDiscountPercent === null) issues.push('categoryDiscountPercent must be an object');
  return issues.length === 0 ? true : issues;
}

/**
 * Prices one product: markup, category discount, a demand simulation seeded by the product (so the
 * same product and rules always give the same price), shipping by weight, then VAT.
 */
export function priceProduct(product: Product, rules: PricingRules): Quote {
  const category = CATEGORIES[product.category] ?? 'other';
  const discount = rules.categoryDiscountPercent[category] ?? 0;
  let price = product.basePriceCents * (1 + rules.markupPercent / 100) * (1 - discount / 100);
  price *= demandFactor(product, rules.demandSamples);
  price += Math.ceil(product.weightGrams / 1000) * rules.shippingCentsPerKg;
  price *= 1 + rules.vatPercent / 100;
  return { id: product.id, priceCents: Math.round(price), currency: rules.currency, rulesVersion: rules.version };
}

// Scarce stock and a simulated willingness to pay move the price by a few percent either way.
function demandFactor(product: Product, samples: number): number {
  if (samples === 0) return 1;
  const random = createRandom(product.id);
  const scarcity = product.stock < 20 ? 0.1 : 0;
  let willing = 0;
  for (let i = 0; i < samples; i += 1) if (random() + scarcity > 0.5) willing += 1;
  return 0.97 + (0.06 * willing) / samples;
}
