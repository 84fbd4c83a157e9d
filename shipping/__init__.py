"""The shipping adapter (SPEC §6): the glue between the courier adapters (couriers/) and
the domain (models/) — the outbox channel that creates parcels, the parcel sync job, the
courier webhooks, and courier accounts tested against the courier."""
