package dev.tandem.hub;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Runs an npm package's own test suite as part of the Maven build: installs its locked
 * dependencies when they are missing, runs {@code npm test}, and fails with the log's path
 * when it fails. The package's output goes to {@code target/<name>.log}.
 */
public final class NpmSuite {

  private NpmSuite() {}

  public static void run(Path packageDir, String name, List<String> testCommand, int timeoutMinutes) throws Exception {
    run(packageDir, name, testCommand, timeoutMinutes, Map.of());
  }

  /** As above, with extra environment variables for the test command. */
  public static void run(Path packageDir, String name, List<String> testCommand, int timeoutMinutes,
                         Map<String, String> env) throws Exception {
    Path log = Path.of("target", name + ".log").toAbsolutePath();
    Files.createDirectories(log.getParent());
    Files.deleteIfExists(log); // the summary printed below is this run's only
    if (!Files.isDirectory(packageDir.resolve("node_modules"))) {
      // npm install, not npm ci: with optional platform packages (rollup) npm 11 writes lock files
      // that npm ci then calls out of sync. The lock file still pins every version installed.
      int installed = exec(packageDir, log, 10, List.of("npm", "install", "--no-audit", "--no-fund"), Map.of());
      assertEquals(0, installed, "npm install failed in " + packageDir + ", see " + log);
    }
    int exit = exec(packageDir, log, timeoutMinutes, testCommand, env);
    List<String> lines = Files.readAllLines(log);
    lines.stream().filter(l -> l.contains("Tests ") || l.contains("Test Files ")).forEach(l -> System.out.println(name + ": " + l.trim()));
    assertEquals(0, exit, name + " failed, see " + log);
  }

  private static int exec(Path dir, Path log, int timeoutMinutes, List<String> command, Map<String, String> env)
      throws Exception {
    ProcessBuilder builder = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(new File(log.toString())));
    builder.environment().put("NO_COLOR", "1");
    builder.environment().put("CI", "true");
    builder.environment().putAll(env);
    Process process = builder.start();
    if (!process.waitFor(timeoutMinutes, TimeUnit.MINUTES)) {
      process.destroyForcibly();
      throw new AssertionError(String.join(" ", command) + " did not finish in " + timeoutMinutes + " minutes, see " + log);
    }
    return process.exitValue();
  }
}
