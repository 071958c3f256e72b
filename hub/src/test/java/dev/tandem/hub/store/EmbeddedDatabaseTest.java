package dev.tandem.hub.store;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class EmbeddedDatabaseTest {

  @Test
  void aDataDirectoryInUseByARunningHubIsRefusedNotTakenOver() throws Exception {
    Path dir = Files.createTempDirectory("tandem-embedded-");
    try (EmbeddedDatabase first = EmbeddedDatabase.start(dir)) {
      IllegalStateException refused = assertThrows(IllegalStateException.class, () -> EmbeddedDatabase.start(dir));
      assertTrue(refused.getMessage().contains("in use"), refused.getMessage());
      try (Socket stillUp = new Socket("localhost", first.port())) {
        assertTrue(stillUp.isConnected(), "the first hub's Postgres was not touched");
      }
    }
  }
}
