import * as aws from "@pulumi/aws";
import * as awsx from "@pulumi/awsx";
import * as pulumi from "@pulumi/pulumi";
import { resourceTags, Tags } from "../lib/naming";
import { ECS_INSTANCE_ENDPOINT_SERVICES, INTERFACE_ENDPOINT_SERVICES, NetworkSettings } from "../lib/settings";

export interface NetworkArgs {
  /** How to get the network: create a VPC, or use an existing one by id. See `NetworkSettings`. */
  settings: NetworkSettings;
  /** AWS region, for VPC endpoint service names (`com.amazonaws.<region>.s3`). */
  region: string;
  /** Whether EC2 container instances run in the network (EC2 or EC2 Spot jobs): they need the ECS endpoints too. */
  ec2Instances?: boolean;
  /** Base tags; each resource adds its Name. */
  tags: Tags;
}

/**
 * The network jobs run in: private subnets only, no public IPs.
 *
 * - `create`: an `awsx.ec2.Vpc` with public and private subnets in 2-3 AZs and NAT per the stack's strategy
 *   (one shared NAT gateway in dev, one per AZ in prod, or none when interface endpoints carry all traffic; with
 *   none the job subnets are isolated, with no route to the internet).
 * - `existing`: a VPC and private subnets by id.
 *
 * Either way it adds an S3 gateway endpoint (ECR stores image layers in S3; the endpoint keeps that traffic off
 * NAT) when route tables are known, optional interface endpoints (ECR API and registry, CloudWatch Logs,
 * Secrets Manager, SSM) so jobs can start without NAT, and a security group for jobs that allows no inbound
 * traffic and all outbound traffic.
 */
export class Network extends pulumi.ComponentResource {
  readonly vpcId: pulumi.Output<string>;
  /** Subnets the compute environments place jobs in. */
  readonly privateSubnetIds: pulumi.Output<string[]>;
  readonly jobSecurityGroupId: pulumi.Output<string>;
  readonly endpointServices: string[];

  constructor(name: string, args: NetworkArgs, opts?: pulumi.ComponentResourceOptions) {
    super("batch-migration:network:Network", name, {}, opts);
    const s = args.settings;
    const tag = (suffix: string) => resourceTags(args.tags, `${name}-${suffix}`);

    let routeTableIds: pulumi.Output<string[]>;
    if (s.mode === "create") {
      const isolated = s.natGateways === "none";
      const strategy = {
        none: awsx.ec2.NatGatewayStrategy.None,
        single: awsx.ec2.NatGatewayStrategy.Single,
        "one-per-az": awsx.ec2.NatGatewayStrategy.OnePerAz,
      }[s.natGateways];
      const vpc = new awsx.ec2.Vpc(
        `${name}-vpc`,
        {
          cidrBlock: s.cidrBlock,
          numberOfAvailabilityZones: s.availabilityZones,
          enableDnsHostnames: true,
          enableDnsSupport: true,
          natGateways: { strategy },
          subnetStrategy: awsx.ec2.SubnetAllocationStrategy.Auto,
          subnetSpecs: [
            { type: awsx.ec2.SubnetType.Public, cidrMask: 24 },
            { type: isolated ? awsx.ec2.SubnetType.Isolated : awsx.ec2.SubnetType.Private, cidrMask: 20 },
          ],
          tags: tag("vpc"),
        },
        { parent: this },
      );
      this.vpcId = vpc.vpcId;
      this.privateSubnetIds = isolated ? vpc.isolatedSubnetIds : vpc.privateSubnetIds;
      routeTableIds = vpc.routeTables.apply((tables) => pulumi.all(tables.map((t) => t.id)));
    } else {
      this.vpcId = pulumi.output(s.vpcId!);
      this.privateSubnetIds = pulumi.output(s.privateSubnetIds);
      routeTableIds = pulumi.output(s.routeTableIds);
    }

    const jobs = new aws.ec2.SecurityGroup(
      `${name}-jobs-sg`,
      {
        vpcId: this.vpcId,
        description: "Batch jobs: no inbound traffic; outbound to AWS APIs, databases and the internet via NAT",
        ingress: [],
        egress: [{ description: "All outbound", protocol: "-1", fromPort: 0, toPort: 0, cidrBlocks: ["0.0.0.0/0"], ipv6CidrBlocks: ["::/0"] }],
        tags: tag("jobs-sg"),
      },
      { parent: this },
    );
    this.jobSecurityGroupId = jobs.id;

    this.endpointServices = [];
    if (s.mode === "create" || s.routeTableIds.length > 0) {
      new aws.ec2.VpcEndpoint(
        `${name}-s3-endpoint`,
        {
          vpcId: this.vpcId,
          serviceName: `com.amazonaws.${args.region}.s3`,
          vpcEndpointType: "Gateway",
          routeTableIds,
          tags: tag("s3-endpoint"),
        },
        { parent: this },
      );
      this.endpointServices.push("s3");
    }

    if (s.interfaceEndpoints) {
      const endpointSg = new aws.ec2.SecurityGroup(
        `${name}-endpoints-sg`,
        {
          vpcId: this.vpcId,
          description: "VPC interface endpoints: HTTPS from Batch jobs only",
          ingress: [{ description: "HTTPS from jobs", protocol: "tcp", fromPort: 443, toPort: 443, securityGroups: [jobs.id] }],
          egress: [],
          tags: tag("endpoints-sg"),
        },
        { parent: this },
      );
      const services = [...INTERFACE_ENDPOINT_SERVICES, ...(args.ec2Instances ? ECS_INSTANCE_ENDPOINT_SERVICES : [])];
      for (const service of services) {
        const suffix = `${service.replace(".", "-")}-endpoint`;
        new aws.ec2.VpcEndpoint(
          `${name}-${suffix}`,
          {
            vpcId: this.vpcId,
            serviceName: `com.amazonaws.${args.region}.${service}`,
            vpcEndpointType: "Interface",
            privateDnsEnabled: true,
            subnetIds: this.privateSubnetIds,
            securityGroupIds: [endpointSg.id],
            tags: tag(suffix),
          },
          { parent: this },
        );
        this.endpointServices.push(service);
      }
    }

    this.registerOutputs({
      vpcId: this.vpcId,
      privateSubnetIds: this.privateSubnetIds,
      jobSecurityGroupId: this.jobSecurityGroupId,
    });
  }
}
