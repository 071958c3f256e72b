-- Readers that find an event missing below retained_seq know it was deleted on purpose.
UPDATE streams SET retained_seq = $2 WHERE id = $1 AND retained_seq < $2
