import { AcmCertificate } from "@cdktf/provider-aws/lib/acm-certificate";
import { Route53Record } from "@cdktf/provider-aws/lib/route53-record";
import { TerraformIterator } from "cdktf";
import { Construct } from "constructs";

export interface PublicCertificateProps {
  /** The certificate's main name, e.g. `admin.trading.acme.io`. */
  readonly domainName: string;
  /** Further names it covers. @default - none */
  readonly subjectAlternativeNames?: readonly string[];
  /**
   * Route 53 public hosted zone to write the DNS validation records into.
   * @default - none: the records are left for the operator (`validationRecords`) and issuance waits for them
   */
  readonly hostedZoneId?: string;
}

const VALIDATION_RECORD_TTL_SECONDS = 300;

/**
 * A public ACM certificate validated by DNS. With a hosted zone the validation records are written there;
 * without one they are exposed for the operator to add at their DNS provider. Issuance is not awaited here: a
 * consumer that needs the certificate issued waits with `aws_acm_certificate_validation` where it uses it.
 */
export class PublicCertificate extends Construct {
  readonly certificate: AcmCertificate;
  /** The CNAME records that prove control of each name (name, type, value per domain). */
  readonly validationRecords: AcmCertificate["domainValidationOptions"];

  constructor(scope: Construct, id: string, props: PublicCertificateProps) {
    super(scope, id);
    this.certificate = new AcmCertificate(this, "Resource", {
      domainName: props.domainName,
      subjectAlternativeNames: [...(props.subjectAlternativeNames ?? [])],
      validationMethod: "DNS",
      // A replacement certificate must exist before the listener lets go of the old one.
      lifecycle: { createBeforeDestroy: true },
    });
    this.validationRecords = this.certificate.domainValidationOptions;

    if (props.hostedZoneId !== undefined) {
      const byDomain = TerraformIterator.fromComplexList(this.certificate.domainValidationOptions, "domain_name");
      const records = new Route53Record(this, "validation-records", {
        forEach: byDomain,
        zoneId: props.hostedZoneId,
        name: byDomain.getString("resource_record_name"),
        type: byDomain.getString("resource_record_type"),
        records: [byDomain.getString("resource_record_value")],
        ttl: VALIDATION_RECORD_TTL_SECONDS,
        allowOverwrite: true,
      });
      // cdktf iterates `tolist(<set>)`, whose keys Terraform cannot know before the certificate exists (the plan
      // fails); iterating the set itself, as the provider documents, gives keys known at plan time.
      const options = `${this.certificate.terraformResourceType}.${this.certificate.friendlyUniqueId}.domain_validation_options`;
      records.addOverride("for_each", `\${{ for dvo in ${options} : dvo.domain_name => dvo }}`);
    }
  }
}
