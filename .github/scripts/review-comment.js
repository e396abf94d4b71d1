// The pull request's one comment per environment: created by the first run, updated by every later push
// (actions/github-script calls it with its authenticated client and the event's context).
const { existsSync, readFileSync } = require("fs");

/** The author of comments made with the workflow's GITHUB_TOKEN. */
const WORKFLOW_BOT = "github-actions[bot]";
/** GitHub refuses comment bodies over 65,536 characters. */
const MAX_BODY_CHARS = 65000;

/** The first line of an environment's comment: how a later run finds it. */
function marker(environment) {
  return `<!-- sentry-ops review: ${environment} -->`;
}

/** The comment: the review of the head commit, or why there is none. */
function commentBody(environment, review, headSha) {
  const heading = `${marker(environment)}\n### \`sentry-ops review ${environment}\` at ${headSha.slice(0, 12)}\n\n`;
  const text = review ?? "No review: the job stopped before `sentry-ops review` ran (see the job's log).";
  const room = MAX_BODY_CHARS - heading.length;
  return heading + (text.length > room ? `${text.slice(0, room - 80)}\n\n… cut at GitHub's comment limit: the whole review is in the job summary.` : text);
}

module.exports = async function reviewComment({ github, context, environment, reviewFile }) {
  const review = reviewFile && existsSync(reviewFile) ? readFileSync(reviewFile, "utf8") : undefined;
  const body = commentBody(environment, review, context.payload.pull_request.head.sha);
  const { owner, repo } = context.repo;
  const issue_number = context.issue.number;
  const comments = await github.paginate(github.rest.issues.listComments, { owner, repo, issue_number, per_page: 100 });
  // Only the workflow's own comment: anyone can write the marker, and another app's bot is not this workflow.
  const existing = comments.find((comment) => comment.user?.login === WORKFLOW_BOT && comment.body?.startsWith(marker(environment)));
  if (existing) {
    await github.rest.issues.updateComment({ owner, repo, comment_id: existing.id, body });
  } else {
    await github.rest.issues.createComment({ owner, repo, issue_number, body });
  }
};
module.exports.commentBody = commentBody;
