#!/usr/bin/env bash
# `sentry-ops deploy <env>` of the plans the previous step saved and reviewed. Approvals come only from a person's
# manual run (workflow_dispatch inputs, empty on a push): deploy refuses any blocking change nobody approved.
set -euo pipefail
environment="${ENVIRONMENT:?}"
args=()
for address in ${APPROVE:-}; do
  args+=(--approve "$address")
done
if [ "${APPROVE_BROADENING:-false}" = "true" ]; then
  args+=(--approve-broadening)
fi
npx sentry-ops deploy "$environment" "${args[@]}"
