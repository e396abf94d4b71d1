#!/usr/bin/env bash
# `sentry-ops deploy <env>` of the plans the previous step saved and reviewed. Approvals come only from a person's
# manual run (workflow_dispatch inputs, empty on a push): deploy refuses any blocking change nobody approved.
set -euo pipefail
environment="${ENVIRONMENT:?}"
args=()
# Split on spaces without pathname expansion: an address such as aws_sqs_queue.q["orders"] is a glob pattern.
read -r -a addresses <<< "${APPROVE:-}"
for address in "${addresses[@]}"; do
  args+=(--approve "$address")
done
if [ "${APPROVE_BROADENING:-false}" = "true" ]; then
  args+=(--approve-broadening)
fi
npx sentry-ops deploy "$environment" "${args[@]}"
