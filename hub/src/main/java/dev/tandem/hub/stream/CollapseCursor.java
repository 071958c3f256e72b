package dev.tandem.hub.stream;

import java.time.Clock;
import java.time.Instant;
import java.util.concurrent.ThreadLocalRandom;

/**
 * {@code Stream-Cursor} values for live reads (PROTOCOL 10.1): the number of 20-second
 * intervals since 2024-10-09T00:00:00Z. They let CDNs collapse waiting clients and never go
 * backwards: when a client echoes a cursor at or past the current interval, the answer jumps
 * ahead by a random 1-3600 seconds' worth of intervals, so cached responses cannot loop.
 */
public final class CollapseCursor {

  private static final long EPOCH_SECONDS = Instant.parse("2024-10-09T00:00:00Z").getEpochSecond();
  private static final long INTERVAL_SECONDS = 20;

  private final Clock clock;

  public CollapseCursor(Clock clock) {
    this.clock = clock;
  }

  public String next(String clientCursor) {
    long current = (clock.instant().getEpochSecond() - EPOCH_SECONDS) / INTERVAL_SECONDS;
    long echoed = parse(clientCursor);
    if (echoed >= current) {
      long jitterSeconds = ThreadLocalRandom.current().nextLong(1, 3601);
      return Long.toString(echoed + Math.max(1, jitterSeconds / INTERVAL_SECONDS));
    }
    return Long.toString(current);
  }

  private static long parse(String cursor) {
    if (cursor == null || cursor.isEmpty() || cursor.length() > 18) {
      return -1;
    }
    for (int i = 0; i < cursor.length(); i++) {
      if (!Character.isDigit(cursor.charAt(i))) {
        return -1;
      }
    }
    return Long.parseLong(cursor);
  }
}
