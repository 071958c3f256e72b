package dev.tandem.hub;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The web client's tests (web-client/), end to end in a real Chromium against the hub jar this
 * build just packaged. They need Debian's chromium (/usr/bin/chromium), which .ci/run installs.
 */
class WebClientIT {

  @Test
  void webClientTestsPassInARealBrowser() throws Exception {
    if (!Files.exists(Path.of("target/tandem-hub.jar"))) {
      throw new AssertionError("target/tandem-hub.jar is missing: run through ./mvnw verify");
    }
    if (!Files.isExecutable(Path.of("/usr/bin/chromium"))) {
      throw new AssertionError("the web client's tests need Chromium at /usr/bin/chromium "
          + "(apt-get install chromium; .ci/run installs it)");
    }
    NpmSuite.run(Path.of("../web-client").toAbsolutePath().normalize(), "web-client", List.of("npm", "test"), 20);
  }
}
