#!/usr/bin/env bash
# The check's verdict from `sentry-ops review`'s exit code: 0 passes; 2 fails with each address to approve
# (docs/pull-requests.md: approving a blocking change); anything else (1: a phase has no plan) fails.
set -euo pipefail
environment="${ENVIRONMENT:?}"
case "${EXIT_CODE:-}" in
  0)
    echo "$environment: nothing needs approval"
    ;;
  2)
    echo "::error title=$environment needs approval::sentry-ops review $environment found blocking changes; a person approves them when deploying (docs/pull-requests.md)"
    while IFS= read -r address; do
      if [ -n "$address" ]; then echo "::error title=$environment needs approval::$address"; fi
    done <<< "${PENDING:-}"
    exit 1
    ;;
  *)
    echo "::error title=$environment has no complete plan::sentry-ops review $environment exited ${EXIT_CODE:-before running}: a phase has no plan (see the plan step's log)"
    exit 1
    ;;
esac
