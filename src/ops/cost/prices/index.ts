import { PriceTable } from "./table";
import { US_EAST_1 } from "./us-east-1";

export * from "./table";

/** The regions `sentry-ops cost` can price. */
export const PRICE_TABLES: Readonly<Record<string, PriceTable>> = { [US_EAST_1.region]: US_EAST_1 };
