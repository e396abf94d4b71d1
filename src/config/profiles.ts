import type { EnvironmentDefinition } from "./environments";
import {
  ClusterConfig,
  ClusterName,
  EnvironmentConfig,
  MANAGED_SCALING_PROFILES,
  ManagedScalingConfig,
  ManagedScalingProfile,
  ManagedScalingTuning,
  SERVICE_SCALING_PROFILES,
  ServiceAutoScalingConfig,
  ServiceConfig,
  ServiceScalingProfile,
  ServiceScalingTuning,
} from "./types";
import { ConfigError } from "./validate";

/**
 * The deployment guide's "Ajuste Fino do Scaling" as named profiles. An environment picks one per service
 * (`services[].autoScaling.profile`) or per cluster (`clusters.<name>.managedScaling.profile`); each number is
 * then, first found: the number written next to the profile, the profile's, the guide's default. Stacks only
 * ever see the resolved numbers (`resolveScalingProfiles`).
 */

/** The guide's "Parâmetros de Auto Scaling" defaults (Task Definition table): what no profile changes. */
const DEFAULT_SERVICE_SCALING: ServiceScalingTuning = { targetCpuUtilization: 70, scaleOutCooldownSeconds: 60, scaleInCooldownSeconds: 300 };

/** The guide's "Parâmetros de Auto Scaling" default (ECS Cluster table). */
const DEFAULT_MANAGED_SCALING: ManagedScalingTuning = { targetCapacity: 70 };

/** What each task scaling profile sets; the values it leaves out stay at the service's own or the default. */
export const SERVICE_SCALING_PROFILE_VALUES: Readonly<Record<ServiceScalingProfile, Partial<ServiceScalingTuning>>> = {
  // "Scaling mais agressivo": scales out earlier (lower CPU) and faster (shorter cooldown between scale-outs).
  aggressive: { targetCpuUtilization: 50, scaleOutCooldownSeconds: 30 },
  // "Scaling mais conservador": scales out later and waits longer before removing tasks.
  conservative: { targetCpuUtilization: 80, scaleInCooldownSeconds: 600 },
};

/** What each managed scaling profile sets. */
export const MANAGED_SCALING_PROFILE_VALUES: Readonly<Record<ManagedScalingProfile, Partial<ManagedScalingTuning>>> = {
  // "Scaling mais proativo": keeps 40 % of the capacity free for new tasks.
  proactive: { targetCapacity: 60 },
  // "Scaling mais econômico": keeps only 15 % free.
  economical: { targetCapacity: 85 },
};

/** A service's scaling as `environments.ts` writes it: the profile's numbers may be left out. */
export type ServiceAutoScalingDefinition = Omit<ServiceAutoScalingConfig, keyof ServiceScalingTuning> & Partial<ServiceScalingTuning>;
export type ServiceDefinition = Omit<ServiceConfig, "autoScaling"> & { readonly autoScaling: ServiceAutoScalingDefinition };

/** A cluster's managed scaling as `environments.ts` writes it: `targetCapacity` may be left out. */
export type ManagedScalingDefinition = Omit<ManagedScalingConfig, keyof ManagedScalingTuning> & Partial<ManagedScalingTuning>;
export type ClusterDefinition = Omit<ClusterConfig, "managedScaling"> & { readonly managedScaling: ManagedScalingDefinition };

/** An environment with every profile resolved to numbers: the configuration without the operator's settings. */
export type ResolvedEnvironment = Omit<EnvironmentConfig, "operator">;

/** The entries of `values` that are set (an `undefined` written out does not hide the profile's number). */
function setOnly<T extends object>(values: T): Partial<T> {
  return Object.fromEntries(Object.entries(values).filter(([, value]) => value !== undefined)) as Partial<T>;
}

/** `profile` checked against `allowed` (one ConfigError line listing them), or undefined when none is set. */
function profileOf<T extends string>(field: string, profile: unknown, allowed: readonly T[]): T | undefined {
  if (profile === undefined) return undefined;
  if (!(allowed as readonly unknown[]).includes(profile)) throw new ConfigError(field, profile, `expected one of ${allowed.join(", ")} (or no profile)`);
  return profile as T;
}

/** Default < profile < explicit number. */
export function resolveServiceScaling(field: string, scaling: ServiceAutoScalingDefinition): ServiceAutoScalingConfig {
  const profile = profileOf(`${field}.profile`, scaling.profile, SERVICE_SCALING_PROFILES);
  const { targetCpuUtilization, scaleOutCooldownSeconds, scaleInCooldownSeconds, ...rest } = scaling;
  const tuning = { ...DEFAULT_SERVICE_SCALING, ...(profile && SERVICE_SCALING_PROFILE_VALUES[profile]), ...setOnly({ targetCpuUtilization, scaleOutCooldownSeconds, scaleInCooldownSeconds }) };
  return { ...rest, ...tuning };
}

/** Default < profile < explicit number. */
export function resolveManagedScaling(field: string, scaling: ManagedScalingDefinition): ManagedScalingConfig {
  const profile = profileOf(`${field}.profile`, scaling.profile, MANAGED_SCALING_PROFILES);
  const { enabled, targetCapacity, ...rest } = scaling;
  return { enabled, ...DEFAULT_MANAGED_SCALING, ...(profile && MANAGED_SCALING_PROFILE_VALUES[profile]), ...setOnly({ targetCapacity }), ...rest };
}

/** The environment with every scaling profile resolved; throws a ConfigError for an unknown profile. */
export function resolveScalingProfiles(definition: EnvironmentDefinition): ResolvedEnvironment {
  const env = definition.name;
  const clusters = Object.fromEntries(
    Object.entries(definition.clusters).map(([name, cluster]) => [name, { ...cluster, managedScaling: resolveManagedScaling(`${env}.clusters.${name}.managedScaling`, cluster.managedScaling) }]),
  ) as Record<ClusterName, ClusterConfig>;
  const services = definition.services.map((service, index) => ({ ...service, autoScaling: resolveServiceScaling(`${env}.services[${index}].autoScaling`, service.autoScaling) }));
  return { ...definition, clusters, services };
}
