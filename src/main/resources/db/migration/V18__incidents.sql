-- Broker and database faults each replica lived through, written once over
-- (observability/Incidents owns the table): the console's incident list with measured recovery times.
CREATE TABLE incident (
    id         uuid PRIMARY KEY,
    replica    varchar(200)  NOT NULL,
    kind       varchar(32)   NOT NULL,
    started_at timestamptz   NOT NULL,
    ended_at   timestamptz   NOT NULL,
    cause      varchar(1000),
    recovery   varchar(1000)
);

CREATE INDEX incident_started ON incident (started_at DESC);
