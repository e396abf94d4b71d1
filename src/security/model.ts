import { DefaultTokenResolver, StringConcat, TerraformStack, Tokenization } from "cdktf";

/** Terraform JSON as synthesized: attributes in snake_case, references as `${type.name.attribute}`. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Json = any;

/** One resource or data source of a stack, as the security rules see it. */
export interface ResourceView {
  /** `aws_sqs_queue`, `aws_iam_policy_document`, ... */
  readonly type: string;
  /** Terraform address: `aws_sqs_queue.orders_bitget`, `data.aws_iam_policy_document.oms_iam_trust`. */
  readonly address: string;
  /** Construct path, `sentry-foundation-dev/orders-bitget`. */
  readonly path: string;
  /** Synthesized attributes. */
  readonly attributes: Json;
}

/** What a stack tells the security baseline about itself (`ReadableStack` implements it). */
export interface SecurityAwareStack {
  /** The KMS key ARN (token) every resource that takes a key must name. */
  readonly environmentKeyArn?: string;
  /** Environment whose audit floor applies. */
  readonly auditedEnvironment?: string;
  /** The stack's Terraform JSON, synthesized without the baseline check (what the check itself reads). */
  unauditedTerraform(): Json;
}

/** A synthesized stack, as the security rules see it. */
export interface StackView {
  readonly name: string;
  readonly environment?: string;
  /** The environment key as it appears in synthesized attributes. */
  readonly environmentKeyArn?: string;
  readonly resources: readonly ResourceView[];
  /** Resources of `type` whose `attribute` refers to `target` (`${<target address>.<anything>}`). */
  referring(type: string, attribute: string, target: ResourceView): ResourceView[];
  /** The resource or data source a `${...}` reference points at. */
  referenced(value: unknown): ResourceView | undefined;
}

/** `${aws_s3_bucket.state_bucket.id}` → `aws_s3_bucket.state_bucket`; `${data.x.y.json}` → `data.x.y`. */
export function referencedAddress(value: unknown): string | undefined {
  if (typeof value !== "string") return undefined;
  const match = /^\$\{((?:data\.)?[a-z0-9_]+\.[A-Za-z0-9_-]+)\.[a-z0-9_]+\}$/.exec(value);
  return match?.[1];
}

/** A nested block as a list, whether synthesized as one object or a list. */
export function blocks(value: Json): Json[] {
  if (value === undefined || value === null) return [];
  return Array.isArray(value) ? value : [value];
}

export function stackView(stack: TerraformStack & SecurityAwareStack, tf: Json = stack.unauditedTerraform()): StackView {
  const views = (section: Json, prefix: string): ResourceView[] =>
    Object.entries(section ?? {}).flatMap(([type, byName]) =>
      Object.entries(byName as Record<string, Json>).map(([name, attributes]) => ({
        type,
        address: `${prefix}${type}.${name}`,
        path: attributes["//"]?.metadata?.path ?? `${stack.node.id}/${name}`,
        attributes,
      })),
    );
  const resources = [...views(tf.resource, ""), ...views(tf.data, "data.")];
  const byAddress = new Map(resources.map((resource) => [resource.address, resource]));
  const keyArn = stack.environmentKeyArn;
  return {
    name: stack.node.id,
    environment: stack.auditedEnvironment,
    environmentKeyArn: keyArn === undefined ? undefined : Tokenization.resolve(keyArn, { scope: stack, resolver: new DefaultTokenResolver(new StringConcat()) }),
    resources,
    referring: (type, attribute, target) =>
      resources.filter((candidate) => candidate.type === type && referencedAddress(candidate.attributes[attribute]) === target.address),
    referenced: (value) => {
      const address = referencedAddress(value);
      return address === undefined ? undefined : byAddress.get(address);
    },
  };
}

