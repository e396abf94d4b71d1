import { GUIDE_VALUES } from "../../config/guide";
import { CLUSTER_NAMES, EnvironmentConfig } from "../../config/types";
import { seeTroubleshooting } from "../troubleshooting";
import { PriceTable } from "./prices";

/**
 * The guide's cost rules ("Custos controlados" in dev and staging), checked on the configuration: one line per
 * value that costs more than the guide allows for the environment.
 */

const POINTER = seeTroubleshooting("unexpected-costs");

function guideValue(path: string, config: EnvironmentConfig): number | string | undefined {
  const value = GUIDE_VALUES[path]?.values[config.name];
  return typeof value === "number" || typeof value === "string" ? value : undefined;
}

/** A type is prod-sized when its hourly price reaches that of the type the guide gives prod (same type when unpriced). */
function prodSized(path: string, type: string, hourly: Readonly<Record<string, { readonly usd: number }>>): string | undefined {
  const prod = GUIDE_VALUES[path]?.values.prod;
  if (typeof prod !== "string") return undefined;
  const [ours, theirs] = [hourly[type]?.usd, hourly[prod]?.usd];
  const sized = ours !== undefined && theirs !== undefined ? ours >= theirs : type === prod;
  return sized ? prod : undefined;
}

export function costChecks(config: EnvironmentConfig, prices: PriceTable): string[] {
  const env = config.name;
  const nonProd = env !== "prod";
  const lines: string[] = [];
  for (const service of config.services) {
    const path = `services.${service.name}.autoScaling`;
    if (nonProd && service.autoScaling.enabled) lines.push(`${env}: ${path}.enabled is true: the guide keeps service auto scaling off in dev and staging${POINTER}`);
    const minimum = guideValue(`${path}.minTaskCount`, config);
    if (service.autoScaling.enabled && typeof minimum === "number" && service.autoScaling.minTaskCount > minimum) {
      lines.push(`${env}: ${path}.minTaskCount is ${service.autoScaling.minTaskCount}, above the guide's ${minimum}${POINTER}`);
    }
  }
  for (const name of CLUSTER_NAMES) {
    const cluster = config.clusters[name];
    const minimum = guideValue(`clusters.${name}.minSize`, config);
    if (typeof minimum === "number" && cluster.minSize > minimum) lines.push(`${env}: clusters.${name}.minSize is ${cluster.minSize}, above the guide's ${minimum}${POINTER}`);
    const prod = nonProd ? prodSized(`clusters.${name}.instanceType`, cluster.instanceType, prices.instanceHour) : undefined;
    if (prod) lines.push(`${env}: clusters.${name}.instanceType ${cluster.instanceType} is prod-sized (the guide gives prod ${prod})${POINTER}`);
  }
  const redisProd = nonProd ? prodSized("redis.nodeType", config.redis.nodeType, prices.cacheNodeHour) : undefined;
  if (redisProd) lines.push(`${env}: redis.nodeType ${config.redis.nodeType} is prod-sized (the guide gives prod ${redisProd})${POINTER}`);
  if (nonProd && config.network.natGateways === "per-az") {
    lines.push(`${env}: network.natGateways is per-az: one NAT gateway per zone (${config.network.availabilityZones.length}) is prod's availability choice; single costs one${POINTER}`);
  }
  return lines;
}
