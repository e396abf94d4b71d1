/** Formats checked both by config validation and by the constructs that take the values. */

/** A GitHub repository, `owner/name`. */
export const GITHUB_REPOSITORY = /^[A-Za-z0-9-]+\/[A-Za-z0-9._-]+$/;

/** A numeric container user, `uid` or `uid:gid` (names could resolve to root). */
export const CONTAINER_USER = /^\d+(:\d+)?$/;

/** An S3 object ARN; groups: partition, bucket, key. */
export const S3_OBJECT_ARN = /^arn:(aws[a-z-]*):s3:::([a-z0-9][a-z0-9.-]+[a-z0-9])\/(.+)$/;

/** An e-mail address (the shape only; delivery is the mail system's business). */
export const EMAIL = /^[^@\s]+@[^@\s]+\.[^@\s]+$/;
