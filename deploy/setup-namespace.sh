#!/bin/sh
# Create (or update) the pipeline's namespace: retention long enough that a failed run can still be
# resumed days later (Temporal deletes closed runs after it), and the search attributes the pipeline
# sets so runs can be found in the Web UI. Idempotent: runs on every `docker compose up`.
set -eu
: "${TEMPORAL_ADDRESS:?}" "${WINTAP_NAMESPACE:?}" "${WINTAP_RETENTION:?}"
export TEMPORAL_ADDRESS

until temporal operator cluster health >/dev/null 2>&1; do
  echo "waiting for the Temporal server at ${TEMPORAL_ADDRESS} ..."
  sleep 3
done

if temporal operator namespace describe --namespace "$WINTAP_NAMESPACE" >/dev/null 2>&1; then
  temporal operator namespace update --namespace "$WINTAP_NAMESPACE" --retention "$WINTAP_RETENTION"
else
  temporal operator namespace create --namespace "$WINTAP_NAMESPACE" --retention "$WINTAP_RETENTION" \
    --description "wintap-noise pipeline runs"
fi

# The names and types of workflows/search-attributes.ts (the worker would add missing ones too).
for attribute in WintapDataset WintapStatus; do
  if temporal operator search-attribute list --namespace "$WINTAP_NAMESPACE" | grep -qw "$attribute"; then
    echo "search attribute $attribute exists"
  else
    temporal operator search-attribute create --namespace "$WINTAP_NAMESPACE" --name "$attribute" --type Keyword
  fi
done
echo "namespace $WINTAP_NAMESPACE ready (retention $WINTAP_RETENTION)"
