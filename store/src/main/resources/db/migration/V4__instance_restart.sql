-- `outpost instances restart`: the instance is first stopped (desired = stopped) with this mark
-- set; once its agent reports it stopped, the scheduler sets desired = running and clears the mark.
-- A column rather than a table so the mark goes with the row when the instance is forgotten.
ALTER TABLE instances ADD COLUMN restart_requested BOOLEAN NOT NULL DEFAULT FALSE;
