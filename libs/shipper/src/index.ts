export { Shipper } from './shipper';
export type { ShippableBlock, ShipperLogger } from './shipper';
