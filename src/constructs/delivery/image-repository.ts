import { EcrLifecyclePolicy } from "@cdktf/provider-aws/lib/ecr-lifecycle-policy";
import { EcrRepository } from "@cdktf/provider-aws/lib/ecr-repository";
import { Construct } from "constructs";

type TagMutability = "IMMUTABLE" | "MUTABLE";

export interface ImageRepositoryProps {
  /** Repository name. */
  readonly name: string;
  /** Newest tagged images kept; older tagged images expire. @default 30 */
  readonly keepTaggedImages?: number;
  /** Days an untagged image is kept after its push. @default 7 */
  readonly untaggedImageExpiryDays?: number;
  /** `MUTABLE` lets a tag such as `latest` move to a newer image. @default "IMMUTABLE" */
  readonly tagMutability?: TagMutability;
  /** Let Terraform delete the repository while it still holds images. @default false */
  readonly forceDelete?: boolean;
  /** KMS key the images are encrypted with (changing it replaces the repository). */
  readonly kmsKeyArn: string;
}

const DEFAULT_KEEP_TAGGED_IMAGES = 30;
const DEFAULT_UNTAGGED_IMAGE_EXPIRY_DAYS = 7;
const DEFAULT_TAG_MUTABILITY: TagMutability = "IMMUTABLE";
const DEFAULT_FORCE_DELETE = false;

/**
 * An ECR repository: images scanned on push, encrypted with the given KMS key, and a lifecycle policy that
 * expires untagged images after some days and keeps only the newest tagged ones.
 */
export class ImageRepository extends Construct {
  readonly repository: EcrRepository;

  constructor(scope: Construct, id: string, props: ImageRepositoryProps) {
    super(scope, id);
    const keepTaggedImages = props.keepTaggedImages ?? DEFAULT_KEEP_TAGGED_IMAGES;
    const untaggedImageExpiryDays = props.untaggedImageExpiryDays ?? DEFAULT_UNTAGGED_IMAGE_EXPIRY_DAYS;
    const tagMutability = props.tagMutability ?? DEFAULT_TAG_MUTABILITY;
    const forceDelete = props.forceDelete ?? DEFAULT_FORCE_DELETE;
    if (!Number.isInteger(keepTaggedImages) || keepTaggedImages < 1) {
      throw new Error(`ImageRepository ${props.name}: keepTaggedImages ${keepTaggedImages} must be a whole number of at least 1`);
    }
    if (!Number.isInteger(untaggedImageExpiryDays) || untaggedImageExpiryDays < 1) {
      throw new Error(`ImageRepository ${props.name}: untaggedImageExpiryDays ${untaggedImageExpiryDays} must be a whole number of at least 1`);
    }

    this.repository = new EcrRepository(this, "Resource", {
      name: props.name,
      imageTagMutability: tagMutability,
      imageScanningConfiguration: { scanOnPush: true },
      encryptionConfiguration: [{ encryptionType: "KMS", kmsKey: props.kmsKeyArn }],
      forceDelete,
    });
    new EcrLifecyclePolicy(this, "lifecycle", {
      repository: this.repository.name,
      policy: JSON.stringify({
        rules: [
          {
            rulePriority: 1,
            description: `Expire untagged images ${untaggedImageExpiryDays} days after push`,
            selection: { tagStatus: "untagged", countType: "sinceImagePushed", countUnit: "days", countNumber: untaggedImageExpiryDays },
            action: { type: "expire" },
          },
          {
            rulePriority: 2,
            description: `Keep the newest ${keepTaggedImages} tagged images`,
            selection: { tagStatus: "tagged", tagPatternList: ["*"], countType: "imageCountMoreThan", countNumber: keepTaggedImages },
            action: { type: "expire" },
          },
        ],
      }),
    });
  }
}
