-- Webhooks, deploys, notification subscriptions and deliveries live in `resources` like
-- every object. Their names are unique too: a webhook's or subscription's name is how it
-- is called, a deploy's (WEBHOOK/DELIVERY/SERVICE) and a delivery's (SUBSCRIPTION/KEY)
-- are deduplication keys, so a redelivered webhook or a repeated notification is refused
-- by apply on every manager alike.
DROP INDEX resources_unique_name;
CREATE UNIQUE INDEX resources_unique_name ON resources (kind, name)
    WHERE kind IN ('service', 'secret', 'config', 'network', 'webhook', 'subscription', 'deploy', 'delivery');
