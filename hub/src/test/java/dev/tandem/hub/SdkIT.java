package dev.tandem.hub;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The TypeScript SDK's unit and integration tests ({@code sdk-ts/}), run against the hub jar
 * this build just packaged: the SDK's test setup starts {@code hub/target/tandem-hub.jar} on
 * embedded Postgres itself.
 */
class SdkIT {

  @Test
  void sdkTestsPassAgainstThePackagedHub() throws Exception {
    if (!Files.exists(Path.of("target/tandem-hub.jar"))) {
      throw new AssertionError("target/tandem-hub.jar is missing: run through ./mvnw verify");
    }
    NpmSuite.run(Path.of("../sdk-ts").toAbsolutePath().normalize(), "sdk-ts", List.of("npm", "test"), 20);
  }
}
