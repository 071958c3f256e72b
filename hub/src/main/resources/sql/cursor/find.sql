SELECT offset_seq FROM cursors WHERE participant = $1 AND stream_id = $2
