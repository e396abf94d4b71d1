import { DataAwsIamPolicyDocument, DataAwsIamPolicyDocumentStatement } from "@cdktf/provider-aws/lib/data-aws-iam-policy-document";
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { IamRolePolicy } from "@cdktf/provider-aws/lib/iam-role-policy";
import { Construct } from "constructs";
import { ecrLoginStatement, KEY_DECRYPT_ACTIONS, serviceTrustStatement, writeLogsStatement } from "../encryption/policy-statements";
import { S3_OBJECT_ARN } from "../../lib/patterns";

export interface EcsTaskRolesProps {
  /** Name of the task execution role (used by the ECS agent to start the task). */
  readonly executionRoleName: string;
  /** Name of the task role (assumed by the application inside the container). */
  readonly taskRoleName: string;
  /** Account allowed to have ECS assume the roles (`aws:SourceAccount` in the trust policies). */
  readonly accountId: string;
  /** Partition and region of the tasks (`aws:SourceArn` in the trust policies: this account's ECS in this region). */
  readonly partition: string;
  readonly region: string;
  /** KMS key of the injected secrets; the execution role decrypts them with it (ECR decrypts images with its own grant). */
  readonly kmsKeyArn: string;
  /** ARN of the task's CloudWatch Logs group (without `:*`); the agent writes only there. */
  readonly logGroupArn: string;
  /** ECR repository the image is pulled from. @default - the image is not in ECR: no ECR permissions */
  readonly imageRepositoryArn?: string;
  /** Full ARNs of the Secrets Manager secrets the task definition injects. @default - none */
  readonly secretArns?: readonly string[];
  /** `arn:<partition>:s3:::<bucket>/<key>` of the environment file the agent loads. @default - none */
  readonly environmentFileArn?: string;
  /** Grant the task role the SSM Session Manager channels ECS Exec needs. @default false */
  readonly enableExecuteCommand?: boolean;
  /** The application's own permissions, on the task role (e.g. its queues and tables). @default - none */
  readonly applicationStatements?: readonly DataAwsIamPolicyDocumentStatement[];
}

const DEFAULT_ENABLE_EXECUTE_COMMAND = false;

/**
 * The two IAM roles of an ECS task, least privilege. The execution role may pull the one image repository,
 * write to the one log group, read exactly the injected secrets and the one environment file. The task role
 * holds the application's statements and, when it is on, what ECS Exec needs.
 */
export class EcsTaskRoles extends Construct {
  readonly executionRole: IamRole;
  readonly taskRole: IamRole;
  /** The inline policies: a service must depend on them, or its first tasks start before they exist. */
  readonly policies: IamRolePolicy[] = [];

  constructor(scope: Construct, id: string, props: EcsTaskRolesProps) {
    super(scope, id);
    const enableExecuteCommand = props.enableExecuteCommand ?? DEFAULT_ENABLE_EXECUTE_COMMAND;
    const secretArns = [...new Set(props.secretArns ?? [])];
    const environmentFile = props.environmentFileArn === undefined ? undefined : S3_OBJECT_ARN.exec(props.environmentFileArn);
    if (props.environmentFileArn !== undefined && !environmentFile) {
      throw new Error(
        `EcsTaskRoles ${props.executionRoleName}: environmentFileArn "${props.environmentFileArn}" must be an S3 object ARN (arn:aws:s3:::bucket/key)`,
      );
    }

    const trust = new DataAwsIamPolicyDocument(this, "trust", {
      statement: [serviceTrustStatement("ecs-tasks.amazonaws.com", props.accountId, `arn:${props.partition}:ecs:${props.region}:${props.accountId}:*`)],
    });
    this.executionRole = new IamRole(this, "execution-role", {
      name: props.executionRoleName,
      assumeRolePolicy: trust.json,
    });
    this.taskRole = new IamRole(this, "task-role", {
      name: props.taskRoleName,
      assumeRolePolicy: trust.json,
    });

    const execution: DataAwsIamPolicyDocumentStatement[] = [
      writeLogsStatement("WriteLogs", props.logGroupArn),
    ];
    if (props.imageRepositoryArn !== undefined) {
      execution.push(
        { sid: "PullImage", actions: ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"], resources: [props.imageRepositoryArn] },
        ecrLoginStatement("GetRegistryToken"),
      );
    }
    if (secretArns.length > 0) {
      execution.push(
        { sid: "ReadInjectedSecrets", actions: ["secretsmanager:GetSecretValue"], resources: secretArns },
        { sid: "DecryptInjectedSecrets", actions: [...KEY_DECRYPT_ACTIONS], resources: [props.kmsKeyArn] },
      );
    }
    if (environmentFile) {
      const [objectArn, partition, bucket] = environmentFile;
      execution.push(
        { sid: "ReadEnvironmentFile", actions: ["s3:GetObject"], resources: [objectArn] },
        { sid: "LocateEnvironmentFileBucket", actions: ["s3:GetBucketLocation"], resources: [`arn:${partition}:s3:::${bucket}`] },
      );
    }
    this.attach("execution", this.executionRole, "task-execution", execution);

    if (props.applicationStatements !== undefined && props.applicationStatements.length > 0) {
      this.attach("application", this.taskRole, "application", [...props.applicationStatements]);
    }
    if (enableExecuteCommand) {
      this.attach("task", this.taskRole, "ecs-exec", [
        {
          sid: "SessionManagerChannels",
          // The ssmmessages channel actions have no resource-level permissions: IAM accepts only "*".
          actions: ["ssmmessages:CreateControlChannel", "ssmmessages:CreateDataChannel", "ssmmessages:OpenControlChannel", "ssmmessages:OpenDataChannel"],
          resources: ["*"],
        },
      ]);
    }
  }

  private attach(prefix: string, role: IamRole, name: string, statement: DataAwsIamPolicyDocumentStatement[]): void {
    const document = new DataAwsIamPolicyDocument(this, `${prefix}-permissions`, { statement });
    this.policies.push(new IamRolePolicy(this, `${prefix}-policy`, { name, role: role.id, policy: document.json }));
  }
}
