#!/bin/sh
# Removes the twcmanager service and the app, keeping /etc/twcmanager, /var/lib/twcmanager, the logs and
# the user; `--purge` removes those too. Same as `deploy/install.sh --uninstall [--purge] [--root DIR]`.
exec "$(dirname "$0")/install.sh" --uninstall "$@"
