package dev.tandem.hub.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Reads {@link HubConfig} from, in rising precedence: built-in defaults, a JSON config file
 * ({@code --config FILE} or {@code TANDEM_CONFIG}), environment variables ({@code TANDEM_PORT},
 * {@code DATABASE_URL}, ...) and command-line flags ({@code --port 4437} or {@code --port=4437}).
 *
 * <p>Every setting has one name, spelled {@code kebab-case} in flags and files and
 * {@code TANDEM_UPPER_SNAKE} in the environment. Unknown names and malformed values are
 * rejected with a message naming them: a typo must never silently fall back to a default.
 */
public final class ConfigLoader {

  /** Setting name → default value, in the order the docs list them. */
  static final Map<String, String> DEFAULTS = new LinkedHashMap<>();

  static {
    DEFAULTS.put("host", "127.0.0.1");
    DEFAULTS.put("port", "4437");
    DEFAULTS.put("data-dir", "./data");
    DEFAULTS.put("database-url", "");
    DEFAULTS.put("pool-size", "8");
    DEFAULTS.put("max-append-bytes", String.valueOf(4 * 1024 * 1024));
    DEFAULTS.put("max-json-messages", "10000");
    DEFAULTS.put("read-chunk-bytes", String.valueOf(1024 * 1024));
    DEFAULTS.put("long-poll-timeout-ms", "30000");
    DEFAULTS.put("sse-max-ms", "60000");
    DEFAULTS.put("commit-lanes", "2");
    DEFAULTS.put("commit-max-batch", "2000");
    DEFAULTS.put("commit-max-bytes", String.valueOf(8 * 1024 * 1024));
    DEFAULTS.put("db-timeout-ms", "5000");
    DEFAULTS.put("http-instances", String.valueOf(Runtime.getRuntime().availableProcessors()));
    DEFAULTS.put("ws-max-frame-bytes", String.valueOf(1024 * 1024));
    DEFAULTS.put("ws-max-subscriptions", "1000");
    DEFAULTS.put("ws-max-messages-per-second", "500");
    DEFAULTS.put("ws-send-queue-bytes", String.valueOf(4 * 1024 * 1024));
    DEFAULTS.put("ws-send-queue-total-bytes", String.valueOf(256 * 1024 * 1024));
    DEFAULTS.put("ws-slow-consumer-grace-ms", "10000");
    DEFAULTS.put("ws-heartbeat-ms", "15000");
    DEFAULTS.put("ws-idle-timeout-ms", "45000");
    DEFAULTS.put("ws-fanout-interval-ms", "5");
    DEFAULTS.put("ws-fanout-max-loop-percent", "100");
    DEFAULTS.put("cluster-tail-check-ms", "2000");
    DEFAULTS.put("cluster-presence-timeout-ms", "15000");
    DEFAULTS.put("auth", "jwt");
    DEFAULTS.put("dev-mode", "auto");
    DEFAULTS.put("jwt-secret", "");
    DEFAULTS.put("jwt-public-key-file", "");
    DEFAULTS.put("jwt-public-key-algorithm", "RS256");
    DEFAULTS.put("jwt-jwks-file", "");
    DEFAULTS.put("jwt-issuer", "");
    DEFAULTS.put("jwt-audience", "");
    DEFAULTS.put("dev-token-ttl-seconds", String.valueOf(30L * 24 * 3600));
    DEFAULTS.put("public-url", "");
    DEFAULTS.put("webhook-allow-localhost", "");
    DEFAULTS.put("subscription-sweep-ms", "1000");
    DEFAULTS.put("metrics-enabled", "true");
    DEFAULTS.put("metrics-token", "");
    DEFAULTS.put("log-format", "text");
    DEFAULTS.put("retention-default-seconds", "");
    DEFAULTS.put("retention-sweep-ms", "60000");
    DEFAULTS.put("retention-batch-rows", "10000");
    DEFAULTS.put("max-connections-per-principal", "256");
    DEFAULTS.put("max-requests-per-second-per-principal", "2000");
    DEFAULTS.put("http-idle-timeout-ms", "60000");
    DEFAULTS.put("http-request-timeout-ms", "30000");
  }

  private ConfigLoader() {}

  /** Thrown for anything a user got wrong; the message says what and where. */
  public static final class ConfigException extends RuntimeException {
    ConfigException(String message) {
      super(message);
    }
  }

  public static HubConfig load(String[] args, Map<String, String> env) {
    Map<String, String> flags = parseFlags(args);
    Map<String, String> values = new LinkedHashMap<>(DEFAULTS);

    String file = flags.containsKey("config") ? flags.remove("config") : env.get("TANDEM_CONFIG");
    if (file != null && !file.isBlank()) {
      values.putAll(readFile(Path.of(file)));
    }
    for (String name : DEFAULTS.keySet()) {
      String fromEnv = env.get(envName(name));
      if (fromEnv != null) {
        values.put(name, fromEnv);
      }
    }
    if (env.get("DATABASE_URL") != null && env.get(envName("database-url")) == null) {
      values.put("database-url", env.get("DATABASE_URL"));
    }
    for (Map.Entry<String, String> flag : flags.entrySet()) {
      if (!DEFAULTS.containsKey(flag.getKey())) {
        throw new ConfigException("unknown option --" + flag.getKey() + " (known: "
            + String.join(", ", DEFAULTS.keySet()) + ", config)");
      }
      values.put(flag.getKey(), flag.getValue());
    }
    return build(values);
  }

  /** True when the arguments ask for {@link #usage()} ({@code --help} or {@code -h}) instead of a run. */
  public static boolean wantsHelp(String[] args) {
    for (String arg : args) {
      if (arg.equals("--help") || arg.equals("-h")) {
        return true;
      }
    }
    return false;
  }

  /** What {@code --help} prints: every setting with its environment variable and default. */
  public static String usage() {
    StringBuilder out = new StringBuilder("""
        usage: java -jar tandem-hub.jar [--NAME VALUE | --NAME=VALUE]... [--config FILE]

        Runs the Tandem hub. Settings, highest precedence first: flags, TANDEM_* environment
        variables, a JSON config file (--config FILE or TANDEM_CONFIG), the defaults below.
        Every setting is described in docs/operations.md.

        """);
    int width = DEFAULTS.keySet().stream().mapToInt(String::length).max().orElse(0) + 2;
    for (Map.Entry<String, String> setting : DEFAULTS.entrySet()) {
      String name = setting.getKey();
      String fallback = setting.getValue().isEmpty() ? "(unset)" : setting.getValue();
      out.append(String.format("  --%-" + width + "s%-" + (width + 7) + "s%s%n", name, envName(name), fallback));
    }
    return out.toString();
  }

  static String envName(String name) {
    return "TANDEM_" + name.toUpperCase(Locale.ROOT).replace('-', '_');
  }

  private static Map<String, String> parseFlags(String[] args) {
    Map<String, String> flags = new LinkedHashMap<>();
    for (int i = 0; i < args.length; i++) {
      String arg = args[i];
      if (!arg.startsWith("--")) {
        throw new ConfigException("unexpected argument '" + arg + "': options look like --port 4437");
      }
      String name = arg.substring(2);
      String value;
      int eq = name.indexOf('=');
      if (eq >= 0) {
        value = name.substring(eq + 1);
        name = name.substring(0, eq);
      } else if (i + 1 < args.length && !args[i + 1].startsWith("--")) {
        value = args[++i];
      } else {
        throw new ConfigException("option --" + name + " needs a value");
      }
      flags.put(name, value);
    }
    return flags;
  }

  private static Map<String, String> readFile(Path file) {
    JsonNode root;
    try {
      root = new ObjectMapper().readTree(Files.readAllBytes(file));
    } catch (IOException e) {
      throw new ConfigException("cannot read config file " + file + ": " + e.getMessage());
    }
    if (root == null || !root.isObject()) {
      throw new ConfigException("config file " + file + " must hold a JSON object");
    }
    Map<String, String> values = new LinkedHashMap<>();
    for (Iterator<Map.Entry<String, JsonNode>> it = root.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> field = it.next();
      if (!DEFAULTS.containsKey(field.getKey())) {
        throw new ConfigException("unknown setting '" + field.getKey() + "' in " + file);
      }
      values.put(field.getKey(), field.getValue().asText());
    }
    return values;
  }

  private static HubConfig build(Map<String, String> v) {
    String databaseUrl = v.get("database-url").isBlank() ? null : v.get("database-url");
    return new HubConfig(
        v.get("host"),
        (int) number(v, "port", 0, 65535),
        Path.of(v.get("data-dir")),
        databaseUrl,
        (int) number(v, "pool-size", 1, 1000),
        number(v, "max-append-bytes", 1, 1L << 30),
        (int) number(v, "max-json-messages", 1, 1_000_000),
        (int) number(v, "read-chunk-bytes", 1024, 64L << 20),
        number(v, "long-poll-timeout-ms", 1, 600_000),
        number(v, "sse-max-ms", 100, 86_400_000),
        (int) number(v, "commit-lanes", 1, 64),
        (int) number(v, "commit-max-batch", 1, 100_000),
        number(v, "commit-max-bytes", 1024, 1L << 30),
        number(v, "db-timeout-ms", 100, 600_000),
        (int) number(v, "http-instances", 1, 256),
        (int) number(v, "ws-max-frame-bytes", 1024, 64L << 20),
        (int) number(v, "ws-max-subscriptions", 1, 1_000_000),
        (int) number(v, "ws-max-messages-per-second", 1, 1_000_000),
        number(v, "ws-send-queue-bytes", 64 * 1024, 1L << 30),
        number(v, "ws-send-queue-total-bytes", 1024 * 1024, 1L << 40),
        number(v, "ws-slow-consumer-grace-ms", 100, 3_600_000),
        number(v, "ws-heartbeat-ms", 100, 3_600_000),
        number(v, "ws-idle-timeout-ms", 200, 86_400_000),
        number(v, "ws-fanout-interval-ms", 0, 1000),
        (int) number(v, "ws-fanout-max-loop-percent", 1, 100),
        number(v, "cluster-tail-check-ms", 50, 3_600_000),
        number(v, "cluster-presence-timeout-ms", 300, 3_600_000),
        publicUrl(v.get("public-url")),
        // The localhost webhook exception is for development: on by default with the embedded
        // database, off by default when an external database is configured.
        bool(v, "webhook-allow-localhost", v.get("database-url").isBlank()),
        number(v, "subscription-sweep-ms", 50, 60_000),
        auth(v, databaseUrl == null),
        observability(v),
        limits(v));
  }

  private static HubConfig.ObservabilitySettings observability(Map<String, String> v) {
    String format = v.get("log-format").trim().toLowerCase(Locale.ROOT);
    if (!format.equals("text") && !format.equals("json")) {
      throw new ConfigException("log-format must be text or json, got '" + v.get("log-format") + "'");
    }
    String token = blankToNull(v.get("metrics-token"));
    if (token != null && token.length() < 16) {
      throw new ConfigException("metrics-token must be at least 16 characters");
    }
    return new HubConfig.ObservabilitySettings(bool(v, "metrics-enabled", true), token, format.equals("json"));
  }

  private static HubConfig.LimitSettings limits(Map<String, String> v) {
    Long retention = v.get("retention-default-seconds").isBlank() ? null
        : number(v, "retention-default-seconds", 1, 100L * 366 * 24 * 3600);
    return new HubConfig.LimitSettings(retention,
        number(v, "retention-sweep-ms", 50, 86_400_000),
        (int) number(v, "retention-batch-rows", 1, 1_000_000),
        (int) number(v, "max-connections-per-principal", 1, 1_000_000),
        (int) number(v, "max-requests-per-second-per-principal", 1, 1_000_000),
        number(v, "http-idle-timeout-ms", 100, 86_400_000),
        number(v, "http-request-timeout-ms", 100, 3_600_000));
  }

  private static HubConfig.AuthSettings auth(Map<String, String> v, boolean embedded) {
    String mode = v.get("auth").trim();
    if (!mode.equals("jwt") && !mode.equals("none")) {
      throw new ConfigException("auth must be jwt or none, got '" + mode + "'");
    }
    String dev = v.get("dev-mode").trim();
    boolean devMode = switch (dev) {
      case "auto" -> embedded;
      case "true" -> true;
      case "false" -> false;
      default -> throw new ConfigException("dev-mode must be auto, true or false, got '" + dev + "'");
    };
    String algorithm = v.get("jwt-public-key-algorithm").trim();
    if (!java.util.Set.of("RS256", "RS384", "RS512", "ES256", "ES384", "ES512", "EdDSA").contains(algorithm)) {
      throw new ConfigException("jwt-public-key-algorithm must be RS256/384/512, ES256/384/512 or EdDSA, got '" + algorithm + "'");
    }
    return new HubConfig.AuthSettings(mode.equals("jwt"), devMode, blankToNull(v.get("jwt-secret")),
        path(v.get("jwt-public-key-file")), algorithm, path(v.get("jwt-jwks-file")),
        blankToNull(v.get("jwt-issuer")), blankToNull(v.get("jwt-audience")),
        number(v, "dev-token-ttl-seconds", 60, 10L * 365 * 24 * 3600));
  }

  private static String blankToNull(String value) {
    return value == null || value.isBlank() ? null : value.trim();
  }

  private static Path path(String value) {
    return blankToNull(value) == null ? null : Path.of(value.trim());
  }

  private static String publicUrl(String raw) {
    String url = raw.trim();
    if (url.isEmpty()) {
      return null;
    }
    if (!url.matches("https?://[^/?#\\s]+(/[^?#\\s]*)?")) {
      throw new ConfigException("public-url must be an http(s) URL like https://hub.example.com, got '" + raw + "'");
    }
    return url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
  }

  private static boolean bool(Map<String, String> values, String name, boolean unset) {
    String raw = values.get(name).trim().toLowerCase(Locale.ROOT);
    return switch (raw) {
      case "" -> unset;
      case "true" -> true;
      case "false" -> false;
      default -> throw new ConfigException(name + " must be true or false, got '" + values.get(name) + "'");
    };
  }

  private static long number(Map<String, String> values, String name, long min, long max) {
    String raw = values.get(name).trim();
    long value;
    try {
      value = Long.parseLong(raw);
    } catch (NumberFormatException e) {
      throw new ConfigException(name + " must be a whole number, got '" + raw + "'");
    }
    if (value < min || value > max) {
      throw new ConfigException(name + " must be between " + min + " and " + max + ", got " + value);
    }
    return value;
  }
}
