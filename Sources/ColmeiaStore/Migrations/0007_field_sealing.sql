-- A manager whose log is encrypted keeps state.db on disk with its secret fields sealed
-- under its data key (see FieldSealer). The check tells a store opened with another key
-- (or none) at once: such a store is set aside and rebuilt from the log.
CREATE TABLE field_sealing (
    id        INTEGER PRIMARY KEY CHECK (id = 1),
    key_check TEXT NOT NULL
);
