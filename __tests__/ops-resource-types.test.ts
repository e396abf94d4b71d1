import { EnvironmentName } from "../src/config";
import { holdsState, isSecuritySensitive, SECURITY_SENSITIVE_TYPES, STATEFUL_TYPES } from "../src/ops/resource-types";
import { PINNED } from "./support/pinned-addresses";

describe("resource types the plan review knows", () => {
  test("every address pinned as stateful has its type in the stateful list", () => {
    const types = new Set(
      (Object.keys(PINNED) as EnvironmentName[]).flatMap((env) => Object.values(PINNED[env]).flatMap((addresses) => (addresses ?? []).map((address) => address.split(".")[0]))),
    );
    expect(types.size).toBeGreaterThan(10);
    expect([...types].filter((type) => !holdsState(type))).toEqual([]);
  });

  test("the lists name each type once", () => {
    expect(new Set(STATEFUL_TYPES).size).toBe(STATEFUL_TYPES.length);
    expect(new Set(SECURITY_SENSITIVE_TYPES).size).toBe(SECURITY_SENSITIVE_TYPES.length);
  });

  test("types other phases add are already known", () => {
    for (const type of ["aws_lb", "aws_acm_certificate", "aws_kms_key", "aws_sns_topic", "aws_wafv2_web_acl"]) expect(holdsState(type)).toBe(true);
    for (const type of ["aws_kms_key", "aws_lb_listener", "aws_secretsmanager_secret_policy", "aws_sns_topic_policy"]) expect(isSecuritySensitive(type)).toBe(true);
    const accessTypes = ["aws_vpc_endpoint", "aws_default_security_group", "aws_ecs_task_definition", "aws_launch_template", "aws_cognito_user_in_group", "aws_cognito_user_group"];
    for (const type of [...accessTypes, "aws_s3_bucket_ownership_controls", "aws_codebuild_project", "aws_iam_role", "aws_s3_bucket_logging"]) expect(isSecuritySensitive(type)).toBe(true);
    expect(holdsState("aws_iam_role_policy")).toBe(false);
    expect(isSecuritySensitive("aws_sqs_queue")).toBe(false);
  });
});
