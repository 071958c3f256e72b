package dev.tandem.hub.http;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.core.JsonParseException;
import io.vertx.pgclient.PgException;
import java.io.IOException;
import java.net.SocketException;
import org.junit.jupiter.api.Test;

/** How a failed route is answered: the database going away is a 503 with Retry-After, not a 500. */
class FailureClassificationTest {

  @Test
  void theDatabaseGoingAwayIsA503() {
    for (Throwable failure : new Throwable[] {
        new SocketException("Connection reset"),
        new IOException("Broken pipe"),
        new RuntimeException("wrapped", new IOException("Broken pipe")),
        new PgException("terminating connection due to administrator command", "FATAL", "57P01", null)}) {
      TandemError error = Responses.classify(failure);
      assertEquals(503, error.status(), failure.toString());
      assertEquals("unavailable", error.code(), failure.toString());
    }
  }

  @Test
  void aJsonFailureIsNotTakenForTheDatabase() {
    assertEquals(500, Responses.classify(new JsonParseException(null, "Unexpected character")).status());
  }

  @Test
  void anIntegrityViolationIsAConflict() {
    assertEquals(409, Responses.classify(new PgException("duplicate key", "ERROR", "23505", null)).status());
  }
}
