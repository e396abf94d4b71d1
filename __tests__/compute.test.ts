import { TerraformStack, Testing } from "cdktf";
import { ClusterName, ENVIRONMENT_NAMES, EnvironmentName } from "../src/config";
import { validateEnvironmentConfig } from "../src/config/validate";
import { EcsEc2Cluster } from "../src/constructs/compute/ecs-ec2-cluster";
import { dataOf, resource, resourcesOf, synthPhase, testConfig, TerraformJson } from "./support/synth";

const ENVS = ENVIRONMENT_NAMES;
const CLUSTERS = ["oms", "frontend"] as const;
const compute: Record<EnvironmentName, TerraformJson> = {
  dev: synthPhase(testConfig("dev"), "compute").tf,
  staging: synthPhase(testConfig("staging"), "compute").tf,
  prod: synthPhase(testConfig("prod"), "compute").tf,
};
const asg = (env: EnvironmentName, cluster: ClusterName) => resource(compute[env], "aws_autoscaling_group", `${cluster}_asg`);
const launchTemplate = (env: EnvironmentName, cluster: ClusterName) =>
  resource(compute[env], "aws_launch_template", `${cluster}_launch_template`);
const provider = (env: EnvironmentName, cluster: ClusterName) =>
  resource(compute[env], "aws_ecs_capacity_provider", `${cluster}_capacity_provider`).auto_scaling_group_provider;
const everyCluster = ENVS.flatMap((env) => CLUSTERS.map((cluster) => [env, cluster] as const));
const PROJECT_TAGS = (env: string) => ({ Project: "sentry", Environment: env, Phase: "3-compute", ManagedBy: "cdktf" });

describe("phase wiring", () => {
  test.each(ENVS)("%s reads only the foundation's outputs, from its own workspace (the guide: clusters depend on the VPC)", (env) => {
    const remote = dataOf(compute[env], "terraform_remote_state");
    expect(remote).toEqual({
      foundation_outputs: {
        backend: "s3",
        config: { bucket: "sentry-test-state", key: "sentry/foundation.tfstate", region: "us-east-1", workspace_key_prefix: "env:" },
        workspace: env,
      },
    });
    expect(compute[env].terraform.backend.s3.key).toBe("sentry/compute.tfstate");
  });
});

describe("clusters", () => {
  test.each([
    ["dev", false],
    ["staging", false],
    ["prod", true],
  ] as const)("%s: Container Insights %s", (env, insights) => {
    for (const cluster of CLUSTERS) {
      expect(resource(compute[env], "aws_ecs_cluster", cluster)).toEqual(
        expect.objectContaining({
          name: `sentry-${cluster}-${env}`,
          setting: [{ name: "containerInsights", value: insights ? "enabled" : "disabled" }],
        }),
      );
    }
  });

  test.each(everyCluster)("%s %s: the capacity provider is the cluster's only and default provider", (env, cluster) => {
    expect(resource(compute[env], "aws_ecs_cluster_capacity_providers", `${cluster}_capacity_providers`)).toMatchObject({
      cluster_name: `\${aws_ecs_cluster.${cluster}.name}`,
      capacity_providers: [`\${aws_ecs_capacity_provider.${cluster}_capacity_provider.name}`],
      default_capacity_provider_strategy: [
        { capacity_provider: `\${aws_ecs_capacity_provider.${cluster}_capacity_provider.name}`, weight: 1, base: 0 },
      ],
    });
    expect(resource(compute[env], "aws_ecs_capacity_provider", `${cluster}_capacity_provider`).name).toBe(`sentry-${cluster}-ec2-${env}`);
    expect(provider(env, cluster).auto_scaling_group_arn).toBe(`\${aws_autoscaling_group.${cluster}_asg.arn}`);
  });
});

describe("Auto Scaling groups", () => {
  test.each([
    ["dev", "oms", "t4g.small", 1, 2, 1],
    ["dev", "frontend", "t4g.small", 1, 2, 1],
    ["staging", "oms", "t4g.small", 1, 2, 1],
    ["staging", "frontend", "t4g.small", 1, 2, 1],
    ["prod", "oms", "c7g.large", 2, 8, 2],
    ["prod", "frontend", "t4g.medium", 2, 4, 2],
  ] as const)("%s %s: %s, min %i, max %i, desired %i", (env, cluster, instanceType, min, max, desired) => {
    expect(launchTemplate(env, cluster).instance_type).toBe(instanceType);
    expect(asg(env, cluster)).toMatchObject({
      name: `sentry-${cluster}-asg-${env}`,
      min_size: min,
      max_size: max,
      desired_capacity: desired,
      vpc_zone_identifier: "${data.terraform_remote_state.foundation_outputs.outputs.private_subnet_ids}",
      launch_template: { id: `\${aws_launch_template.${cluster}_launch_template.id}`, version: "$Latest" },
    });
  });

  test.each(everyCluster)("%s %s: leaves desired capacity to managed scaling and operators", (env, cluster) => {
    expect(asg(env, cluster).lifecycle).toEqual({ ignore_changes: ["desired_capacity"] });
  });

  test.each(everyCluster)("%s %s: tags the group itself; instances are tagged by the launch template", (env, cluster) => {
    const tags = asg(env, cluster).tag as { key: string; value: string; propagate_at_launch: boolean }[];
    const own = Object.fromEntries(tags.filter((t) => !t.propagate_at_launch).map((t) => [t.key, t.value]));
    expect(own).toEqual({ ...PROJECT_TAGS(env), Name: `sentry-${cluster}-asg-${env}` });
    expect(tags.filter((t) => t.propagate_at_launch)).toEqual([{ key: "AmazonECSManaged", value: "true", propagate_at_launch: true }]);
  });

  test.each(everyCluster)("%s %s: publishes its group metrics each minute (the dashboard's desired and in-service instances)", (env, cluster) => {
    expect(asg(env, cluster)).toMatchObject({
      enabled_metrics: ["GroupMinSize", "GroupMaxSize", "GroupDesiredCapacity", "GroupInServiceInstances", "GroupPendingInstances"],
      metrics_granularity: "1Minute",
    });
  });

  test("destroy removes the instances before the cluster they joined by name", () => {
    expect(asg("prod", "oms")).toMatchObject({ depends_on: ["aws_ecs_cluster.oms"], force_delete: true });
  });
});

describe("capacity providers", () => {
  test.each(CLUSTERS)("prod %s: managed scaling to 70 %% reserved, 1..2 instances a step, with termination protection", (cluster) => {
    expect(provider("prod", cluster)).toMatchObject({
      managed_scaling: { status: "ENABLED", target_capacity: 70, minimum_scaling_step_size: 1, maximum_scaling_step_size: 2 },
      managed_termination_protection: "ENABLED",
      managed_draining: "ENABLED",
    });
    expect(asg("prod", cluster).protect_from_scale_in).toBe(true);
  });

  test.each(["dev", "staging"] as const)("%s: managed scaling off, so no termination protection and no scale-in protected instances", (env) => {
    for (const cluster of CLUSTERS) {
      // Termination protection without managed scaling would leave instances protected forever.
      expect(provider(env, cluster)).toEqual({
        auto_scaling_group_arn: `\${aws_autoscaling_group.${cluster}_asg.arn}`,
        managed_scaling: { status: "DISABLED" },
        managed_termination_protection: "DISABLED",
        managed_draining: "ENABLED",
      });
      expect(asg(env, cluster).protect_from_scale_in).toBe(false);
    }
  });
});

describe("launch templates", () => {
  test.each(everyCluster)("%s %s: ECS-optimized AL2023 arm64 AMI from the public SSM parameter", (env, cluster) => {
    expect(dataOf(compute[env], "aws_ssm_parameter")[`${cluster}_ami`]).toEqual(
      expect.objectContaining({ name: "/aws/service/ecs/optimized-ami/amazon-linux-2023/arm64/recommended/image_id" }),
    );
    expect(launchTemplate(env, cluster).image_id).toBe(`\${data.aws_ssm_parameter.${cluster}_ami.insecure_value}`);
  });

  test.each(everyCluster)("%s %s: IMDSv2 only, hop limit 1 (every task is awsvpc)", (env, cluster) => {
    expect(launchTemplate(env, cluster).metadata_options).toEqual({
      http_endpoint: "enabled",
      http_tokens: "required",
      http_put_response_hop_limit: 1,
    });
  });

  test.each(everyCluster)("%s %s: encrypted gp3 root volume, no public IP, instance security group", (env, cluster) => {
    const template = launchTemplate(env, cluster);
    expect(template.block_device_mappings).toEqual([
      { device_name: "/dev/xvda", ebs: { volume_size: 30, volume_type: "gp3", encrypted: "true", delete_on_termination: "true" } },
    ]);
    expect(template.network_interfaces).toEqual([
      {
        device_index: 0,
        associate_public_ip_address: "false",
        delete_on_termination: "true",
        security_groups: [`\${aws_security_group.${cluster}_instance_security_group.id}`],
      },
    ]);
    expect(template.vpc_security_group_ids).toBeUndefined();
  });

  test.each(everyCluster)("%s %s: user data joins the cluster and keeps awsvpc tasks off the instance metadata", (env, cluster) => {
    const script = Buffer.from(launchTemplate(env, cluster).user_data, "base64").toString("utf8");
    expect(script.split("\n")).toEqual([
      "#!/bin/bash",
      "cat >> /etc/ecs/ecs.config <<'EOF'",
      `ECS_CLUSTER=sentry-${cluster}-${env}`,
      "ECS_ENABLE_TASK_IAM_ROLE=true",
      "ECS_AWSVPC_BLOCK_IMDS=true",
      "ECS_ENABLE_AWSLOGS_EXECUTIONROLE_OVERRIDE=true",
      "ECS_CONTAINER_INSTANCE_PROPAGATE_TAGS_FROM=ec2_instance",
      "EOF",
      "",
    ]);
  });

  test.each(everyCluster)("%s %s: instances and volumes carry the project tags and a Name", (env, cluster) => {
    const tags = { ...PROJECT_TAGS(env), Name: `sentry-${cluster}-instance-${env}` };
    expect(launchTemplate(env, cluster).tag_specifications).toEqual([
      { resource_type: "instance", tags },
      { resource_type: "volume", tags },
    ]);
  });
});

describe("instance role", () => {
  test.each(CLUSTERS)("%s: trusted by EC2 only, through its instance profile", (cluster) => {
    expect(dataOf(compute.prod, "aws_iam_policy_document")[`${cluster}_instance_trust`].statement).toEqual([
      { actions: ["sts:AssumeRole"], principals: [{ type: "Service", identifiers: ["ec2.amazonaws.com"] }] },
    ]);
    expect(resource(compute.prod, "aws_iam_instance_profile", `${cluster}_instance_profile`).role).toBe(
      `\${aws_iam_role.${cluster}_instance_role.name}`,
    );
    expect(launchTemplate("prod", cluster).iam_instance_profile).toEqual({ arn: `\${aws_iam_instance_profile.${cluster}_instance_profile.arn}` });
  });

  test.each(ENVS)("%s: exactly the ECS container-instance and SSM core managed policies, and no inline policy", (env) => {
    for (const cluster of CLUSTERS) {
      const attached = Object.values(resourcesOf(compute[env], "aws_iam_role_policy_attachment"))
        .filter((attachment) => attachment.role === `\${aws_iam_role.${cluster}_instance_role.name}`)
        .map((attachment) => attachment.policy_arn)
        .sort();
      expect(attached).toEqual([
        `arn:\${data.aws_partition.${cluster}_partition.partition}:iam::aws:policy/AmazonSSMManagedInstanceCore`,
        `arn:\${data.aws_partition.${cluster}_partition.partition}:iam::aws:policy/service-role/AmazonEC2ContainerServiceforEC2Role`,
      ]);
    }
    expect(Object.keys(resourcesOf(compute[env], "aws_iam_role_policy_attachment"))).toHaveLength(4);
    expect(resourcesOf(compute[env], "aws_iam_role_policy")).toEqual({});
    expect(resourcesOf(compute[env], "aws_iam_policy")).toEqual({});
  });
});

describe("security groups", () => {
  test.each(ENVS)("%s: nothing admits ingress but the load balancer's own group (80/443), no inline rules", (env) => {
    const ingress = Object.values(resourcesOf(compute[env], "aws_vpc_security_group_ingress_rule"));
    expect(ingress.map((rule) => [rule.security_group_id, rule.from_port, rule.to_port, rule.cidr_ipv4])).toEqual([
      ["${aws_security_group.load_balancer_security_group.id}", 80, 80, "0.0.0.0/0"],
      ["${aws_security_group.load_balancer_security_group.id}", 443, 443, "0.0.0.0/0"],
    ]);
    for (const group of Object.values(resourcesOf(compute[env], "aws_security_group"))) {
      expect(group.ingress).toBeUndefined();
      expect(group.egress).toBeUndefined();
    }
    expect(resourcesOf(compute[env], "aws_security_group_rule")).toEqual({});
  });

  test.each(everyCluster)("%s %s: the task group is named after the cluster (tasks of one cluster do not reach each other)", (env, cluster) => {
    expect(resource(compute[env], "aws_security_group", `${cluster}_task_security_group`).name).toBe(`sentry-${cluster}-tasks-${env}`);
  });

  test.each(everyCluster)("%s %s: instances and tasks may send anywhere (ECS, ECR, SSM through NAT)", (env, cluster) => {
    for (const kind of ["instance", "task"]) {
      expect(resource(compute[env], "aws_vpc_security_group_egress_rule", `${cluster}_${kind}_egress`)).toMatchObject({
        security_group_id: `\${aws_security_group.${cluster}_${kind}_security_group.id}`,
        ip_protocol: "-1",
        cidr_ipv4: "0.0.0.0/0",
      });
    }
  });

  test.each(ENVS)("%s: every group and rule description uses only the characters EC2 accepts", (env) => {
    const described = ["aws_security_group", "aws_vpc_security_group_ingress_rule", "aws_vpc_security_group_egress_rule"].flatMap((type) =>
      Object.values(resourcesOf(compute[env], type)).map((item) => item.description),
    );
    expect(described.length).toBeGreaterThan(0);
    for (const description of described) expect(description).toMatch(/^[A-Za-z0-9 ._:/()#,@[\]+=&;{}!$*-]+$/);
  });
});

describe("outputs", () => {
  test.each(ENVS)("%s publishes the compute contract, keyed by cluster", (env) => {
    const outputs = compute[env].output;
    expect(Object.keys(outputs).sort()).toEqual([
      "autoscaling_group_names",
      "capacity_provider_names",
      "cluster_arns",
      "cluster_names",
      "https_listener_arn",
      "load_balancer_arn",
      "load_balancer_arn_suffix",
      "load_balancer_dns_name",
      "load_balancer_security_group_id",
      "load_balancer_zone_id",
      "task_security_group_ids",
    ]);
    expect(outputs.cluster_names.value).toEqual({ oms: "${aws_ecs_cluster.oms.name}", frontend: "${aws_ecs_cluster.frontend.name}" });
    expect(outputs.cluster_arns.value).toEqual({ oms: "${aws_ecs_cluster.oms.arn}", frontend: "${aws_ecs_cluster.frontend.arn}" });
    expect(outputs.capacity_provider_names.value).toEqual({
      oms: "${aws_ecs_capacity_provider.oms_capacity_provider.name}",
      frontend: "${aws_ecs_capacity_provider.frontend_capacity_provider.name}",
    });
    expect(outputs.task_security_group_ids.value).toEqual({
      oms: "${aws_security_group.oms_task_security_group.id}",
      frontend: "${aws_security_group.frontend_task_security_group.id}",
    });
    expect(outputs.autoscaling_group_names.value).toEqual({
      oms: "${aws_autoscaling_group.oms_asg.name}",
      frontend: "${aws_autoscaling_group.frontend_asg.name}",
    });
  });
});

describe("bad configuration", () => {
  const prod = testConfig("prod");
  const withOms = (changes: object) => ({ ...prod, clusters: { ...prod.clusters, oms: { ...prod.clusters.oms, ...changes } } });

  test("min size above max size", () => {
    expect(() => validateEnvironmentConfig(withOms({ minSize: 9, desiredCapacity: 9 }))).toThrow(
      /prod\.clusters\.oms\.minSize = 9; expected minSize <= maxSize \(8\)/,
    );
  });

  test.each([1, 9])("desired capacity %i outside min..max", (desired) => {
    expect(() => validateEnvironmentConfig(withOms({ desiredCapacity: desired }))).toThrow(
      new RegExp(`prod\\.clusters\\.oms\\.desiredCapacity = ${desired}; expected desired between min and max \\(2\\.\\.8\\)`),
    );
  });

  test("an instance type that is not ARM64", () => {
    expect(() => validateEnvironmentConfig(withOms({ instanceType: "m5.large" }))).toThrow(
      /prod\.clusters\.oms\.instanceType = "m5\.large"; expected an ARM64 \(Graviton\) instance type/,
    );
  });

  const build = (props: Partial<ConstructorParameters<typeof EcsEc2Cluster>[2]>) => () =>
    new EcsEc2Cluster(new TerraformStack(Testing.app(), "test"), "cluster", {
      namePrefix: "test",
      nameSuffix: "x",
      vpcId: "vpc-1",
      subnetIds: ["subnet-1"],
      instanceType: "t4g.small",
      minSize: 1,
      maxSize: 2,
      desiredCapacity: 1,
      ...props,
    });

  test("the construct refuses impossible sizes and scaling settings", () => {
    expect(build({ desiredCapacity: 3 })).toThrow(/test-x: desiredCapacity 3 must be between minSize and maxSize \(1\.\.2\)/);
    expect(build({ minSize: 3, desiredCapacity: 3 })).toThrow(/minSize 3 and maxSize 2 must satisfy/);
    expect(build({ rootVolumeSizeGiB: 8 })).toThrow(/rootVolumeSizeGiB 8 must be at least 30/);
    const scaling = { targetCapacity: 70, minimumScalingStepSize: 3, maximumScalingStepSize: 2 };
    expect(build({ managedScaling: scaling })).toThrow(/managedScaling step sizes 3\.\.2 must satisfy 1 <= minimum <= maximum/);
    expect(build({ managedScaling: { ...scaling, targetCapacity: 0, minimumScalingStepSize: 1 } })).toThrow(/targetCapacity 0 must be from 1 to 100/);
  });
});
