//! FIT-Connect integration-service simulator (being built in issue 4).
