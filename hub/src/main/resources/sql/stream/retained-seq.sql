-- Where retention stopped deleting: a record missing below it was deleted on purpose.
SELECT retained_seq FROM streams WHERE id = $1
