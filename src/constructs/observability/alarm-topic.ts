import { DataAwsCallerIdentity } from "@cdktf/provider-aws/lib/data-aws-caller-identity";
import { DataAwsIamPolicyDocument } from "@cdktf/provider-aws/lib/data-aws-iam-policy-document";
import { DataAwsPartition } from "@cdktf/provider-aws/lib/data-aws-partition";
import { DataAwsRegion } from "@cdktf/provider-aws/lib/data-aws-region";
import { SnsTopic } from "@cdktf/provider-aws/lib/sns-topic";
import { SnsTopicPolicy } from "@cdktf/provider-aws/lib/sns-topic-policy";
import { SnsTopicSubscription } from "@cdktf/provider-aws/lib/sns-topic-subscription";
import { Construct } from "constructs";
import { EMAIL } from "../../lib/patterns";
import { denyInsecureTransportStatement } from "../encryption/policy-statements";

export interface AlarmTopicProps {
  /** Topic name. */
  readonly name: string;
  /**
   * KMS key (id, ARN or alias) encrypting the topic. CloudWatch alarms can only publish to a topic whose key
   * policy lets `cloudwatch.amazonaws.com` use it (`kms:GenerateDataKey*`, `kms:Decrypt`): the AWS-managed
   * `alias/aws/sns` policy cannot be changed, so with it the topic would be encrypted but notifications would fail:
   * hence no default.
   */
  readonly kmsMasterKeyId: string;
  /**
   * Address subscribed by e-mail; AWS mails it a confirmation link, and nothing is delivered until it is followed.
   * @default - no subscription
   */
  readonly email?: string;
}

/**
 * The SNS topic CloudWatch alarms notify: encrypted, publishes refused unless over TLS, and publishable by
 * the CloudWatch alarms of this account and region only (`aws:SourceAccount`, `aws:SourceArn`), with an
 * optional e-mail subscription.
 */
export class AlarmTopic extends Construct {
  readonly topic: SnsTopic;
  readonly arn: string;

  constructor(scope: Construct, id: string, props: AlarmTopicProps) {
    super(scope, id);
    const kmsMasterKeyId = props.kmsMasterKeyId;
    if (props.email !== undefined && !EMAIL.test(props.email)) {
      throw new Error(`AlarmTopic ${props.name}: email "${props.email}" must be an e-mail address`);
    }

    this.topic = new SnsTopic(this, "Resource", { name: props.name, kmsMasterKeyId });
    this.arn = this.topic.arn;

    const account = new DataAwsCallerIdentity(this, "account");
    const partition = new DataAwsPartition(this, "partition");
    const region = new DataAwsRegion(this, "region");
    const policy = new DataAwsIamPolicyDocument(this, "policy-document", {
      statement: [
        denyInsecureTransportStatement("sns:Publish", [this.topic.arn]),
        {
          sid: "AllowCloudWatchAlarmsOfThisAccount",
          actions: ["sns:Publish"],
          resources: [this.topic.arn],
          principals: [{ type: "Service", identifiers: ["cloudwatch.amazonaws.com"] }],
          condition: [
            { test: "StringEquals", variable: "aws:SourceAccount", values: [account.accountId] },
            {
              test: "ArnLike",
              variable: "aws:SourceArn",
              values: [`arn:${partition.partition}:cloudwatch:${region.name}:${account.accountId}:alarm:*`],
            },
          ],
        },
      ],
    });
    new SnsTopicPolicy(this, "policy", { arn: this.topic.arn, policy: policy.json });

    if (props.email !== undefined) {
      new SnsTopicSubscription(this, "email", { topicArn: this.topic.arn, protocol: "email", endpoint: props.email });
    }
  }
}
