#!/bin/sh
# Entrypoint of the curlimages/curl image: arguments starting with "-" are curl's.
set -e
if [ "${1#-}" != "$1" ]; then
  set -- curl "$@"
fi
exec "$@"
