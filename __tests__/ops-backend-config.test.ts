import { parseBackendConfig, remoteStateOverride } from "../src/ops/backend-config";

const parse = (text: string) => parseBackendConfig(text, "/accounts/acme.s3.tfbackend");

describe("backend-config file", () => {
  test("key = value lines, objects, lists, booleans, numbers and every comment style", () => {
    const text = [
      "# state in the tooling account",
      'bucket = "acme-tooling-tf-state" // shared',
      'region = "eu-west-1"',
      "assume_role = {",
      '  role_arn     = "arn:aws:iam::111111111111:role/sentry-state"',
      '  session_name = "sentry-ops"',
      '  tags         = { team = "ops" }',
      "}",
      'endpoints = { s3 = "http://localhost:5000", sts = "http://localhost:5000" }',
      "use_path_style = true",
      "insecure = false",
      "max_retries = 5",
      '/* accounts */ allowed_account_ids = ["111111111111", "222222222222"]',
      'profile = "ops\\"quoted\\""',
    ].join("\n");
    expect(parse(text)).toEqual({
      bucket: "acme-tooling-tf-state",
      region: "eu-west-1",
      assume_role: { role_arn: "arn:aws:iam::111111111111:role/sentry-state", session_name: "sentry-ops", tags: { team: "ops" } },
      endpoints: { s3: "http://localhost:5000", sts: "http://localhost:5000" },
      use_path_style: true,
      insecure: false,
      max_retries: 5,
      allowed_account_ids: ["111111111111", "222222222222"],
      profile: 'ops"quoted"',
    });
  });

  test("assume_role as a block fails as terraform init does (1.11.4: \"Blocks of type assume_role are not expected here\"), naming the object form", () => {
    expect(() => parse('region = "eu-west-1"\nassume_role {\n  role_arn = "arn:aws:iam::111111111111:role/r"\n}\n')).toThrow(
      /^--backend-config acme\.s3\.tfbackend line 2: assume_role \{ \.\.\. \} is a block; Terraform's S3 backend takes assume_role as an object: assume_role = \{ \.\.\. \}$/,
    );
  });

  test("an empty file sets nothing", () => {
    expect(parse("# nothing\n\n")).toEqual({});
  });

  test.each([
    ['profile = "ops"\nbogus_setting = 1\n', /^--backend-config acme\.s3\.tfbackend line 2: bogus_setting is not an S3 backend setting a remote-state read can take; supported: acl, allowed_account_ids, .*use_path_style, workspace_key_prefix$/],
    ['role_arn = "arn:aws:iam::1:role/r"', /^--backend-config acme\.s3\.tfbackend line 1: role_arn is not an S3 backend setting .*; supported: .*assume_role,/],
    ['endpoints = {\n  ec2 = "http://x"\n}', /^--backend-config acme\.s3\.tfbackend line 1: endpoints\.ec2 is not an S3 backend setting; endpoints takes dynamodb, iam, s3, sso, sts$/],
    ['assume_role = "arn:aws:iam::1:role/r"', /^--backend-config acme\.s3\.tfbackend line 1: assume_role must be an object \(assume_role = \{ role_arn, duration, /],
    ['key = "sentry/all.tfstate"', /^--backend-config acme\.s3\.tfbackend line 1: key cannot be set: each phase has its own state key/],
    ['\n\nsecret_key = "wJalrXUtnFEMIK7MDENGbPxRfiCYEXAMPLEKEY"', /^--backend-config acme\.s3\.tfbackend line 3: secret_key is a credential: .*; use profile, shared_credentials_files or the AWS_\* variables instead$/],
    ['access_key = "AKIAIOSFODNN7EXAMPLE"', /^--backend-config acme\.s3\.tfbackend line 1: access_key is a credential/],
    ['assume_role_with_web_identity = {\n  role_arn = "arn:aws:iam::1:role/r"\n  web_identity_token = "eyJhbGciOiJSUzI1NiJ9.AKIAIOSFODNN7"\n}', /^--backend-config acme\.s3\.tfbackend line 1: assume_role_with_web_identity\.web_identity_token is a credential: .*; use web_identity_token_file or AWS_WEB_IDENTITY_TOKEN_FILE instead$/],
    ['profile = "a"\nprofile = "b"', /line 2: profile is set twice$/],
    ['region = eu-west-1', /line 1: expected a string, number, bool, list or object, found an unquoted word$/],
    ['bucket = "b-${var.env}"', /line 1: a backend-config file cannot hold an interpolation/],
    ['region "eu-west-1"', /line 1: expected = after region, found a string$/],
    ['bucket = "unterminated\n', /line 1: a string is not closed on its line$/],
    ['allowed_account_ids = ["1" "2"]', /line 1: expected , or \] in a list, found a string$/],
    ["assume_role = {\n  role_arn = <<EOT\nx\nEOT\n}", /line 2: heredoc strings are not supported/],
    ['profile =', /line 1: unexpected end of file$/],
  ])("%j fails with one line naming the file, line and key, never the value", (text, message) => {
    expect(() => parse(text)).toThrow(message);
    try {
      parse(text);
    } catch (error) {
      expect((error as Error).message).not.toMatch(/\n|wJalrXUtnFEMI|AKIAIOSFODNN7|eu-west-1"/);
    }
  });
});

describe("remote-state override", () => {
  const stack = {
    data: {
      terraform_remote_state: {
        foundation_outputs: { backend: "s3", config: { bucket: "sentry-test-state", key: "sentry/foundation.tfstate", region: "us-east-1", workspace_key_prefix: "env:" }, workspace: "dev" },
        data_outputs: { backend: "s3", config: { bucket: "sentry-test-state", key: "sentry/data.tfstate", region: "us-east-1", workspace_key_prefix: "env:" }, workspace: "dev" },
      },
    },
  };

  test("every read gets its whole config (an override replaces the attribute): its own key, the file's settings over the rest", () => {
    const settings = parse('bucket = "tooling-state"\nassume_role = { role_arn = "arn:aws:iam::111111111111:role/state" }\nuse_path_style = true');
    expect(remoteStateOverride(stack, settings)).toEqual({
      data: {
        terraform_remote_state: {
          foundation_outputs: {
            config: { bucket: "tooling-state", key: "sentry/foundation.tfstate", region: "us-east-1", workspace_key_prefix: "env:", assume_role: { role_arn: "arn:aws:iam::111111111111:role/state" }, use_path_style: true },
          },
          data_outputs: {
            config: { bucket: "tooling-state", key: "sentry/data.tfstate", region: "us-east-1", workspace_key_prefix: "env:", assume_role: { role_arn: "arn:aws:iam::111111111111:role/state" }, use_path_style: true },
          },
        },
      },
    });
  });

  test("a stack that reads no other phase gets no override", () => {
    expect(remoteStateOverride({ resource: {} }, { profile: "ops" })).toBeUndefined();
  });
});
