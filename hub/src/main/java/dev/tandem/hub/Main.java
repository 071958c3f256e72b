package dev.tandem.hub;

import dev.tandem.hub.config.ConfigLoader;
import dev.tandem.hub.auth.DevTokens;
import dev.tandem.hub.config.HubConfig;
import dev.tandem.hub.observability.LogFormat;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** {@code java -jar tandem-hub.jar [--port 4437] [--data-dir ./data] ...}: runs the hub. */
public final class Main {

  private static final Logger LOG = LoggerFactory.getLogger(Main.class);

  private Main() {}

  public static void main(String[] args) {
    if (ConfigLoader.wantsHelp(args)) {
      System.out.print(ConfigLoader.usage());
      return;
    }
    HubConfig config;
    try {
      config = ConfigLoader.load(args, System.getenv());
    } catch (ConfigLoader.ConfigException e) {
      System.err.println("tandem: " + e.getMessage());
      System.exit(2);
      return;
    }
    LogFormat.apply(config.observability().jsonLogs());
    Vertx vertx = Vertx.vertx(new VertxOptions().setPreferNativeTransport(true));
    if (!vertx.isNativeTransportEnabled()) {
      LOG.info("native transport unavailable ({}); using Java NIO", String.valueOf(vertx.unavailableNativeTransportCause()));
    }
    if (config.embeddedDatabase()) {
      boolean first = !java.nio.file.Files.exists(config.postgresDataDir().resolve("PG_VERSION"));
      LOG.info("starting embedded Postgres in {}{}", config.postgresDataDir().toAbsolutePath(),
          first ? " (first start: unpacks and initialises it)" : "");
    }
    HubConfig finalConfig = config;
    Hub.start(vertx, config).onSuccess(hub -> {
      Runtime.getRuntime().addShutdownHook(new Thread(() -> {
        try {
          hub.stop().await();
        } catch (Exception e) {
          LOG.warn("shutdown: {}", e.toString());
        }
      }, "tandem-shutdown"));
      String host = finalConfig.host();
      String shown = host.equals("0.0.0.0") || host.equals("::") ? "localhost" : host.contains(":") ? "[" + host + "]" : host;
      String url = "http://" + shown + ":" + hub.port();
      if (finalConfig.observability().jsonLogs()) {
        // JSON lines only on stdout, for log collectors: no banner, and no tokens in the logs.
        LOG.info("Tandem hub is running: streams {}/v1/stream/{path}, live {}/v1/ws, storage {}{}", url,
            url.replace("http", "ws"), hub.database().describe(),
            hub.devTokens() != null ? ", development tokens at " + url + "/v1/dev/tokens" : "");
        if (!hub.authenticator().enabled()) {
          LOG.warn("auth is OFF (--auth none): anyone who reaches this port may do anything");
        }
        return;
      }
      System.out.println();
      System.out.println("  Tandem hub is running");
      System.out.println("    streams  " + url + "/v1/stream/{path}");
      System.out.println("    live     " + url.replace("http", "ws") + "/v1/ws");
      System.out.println("    storage  " + hub.database().describe());
      if (!hub.authenticator().enabled()) {
        System.out.println("    auth     OFF (--auth none): anyone who reaches this port may do anything");
      } else if (hub.devTokens() != null) {
        System.out.println();
        System.out.println("  Development tokens (dev mode; also at " + url + "/v1/dev/tokens):");
        for (DevTokens.DevToken token : hub.devTokens().all()) {
          System.out.printf("    %-8s %s%n", token.name(), token.token());
        }
        System.out.println();
        System.out.println("  Try: curl -X PUT -H \"Authorization: Bearer $TOKEN\" -H 'Content-Type: application/json' "
            + url + "/v1/stream/demo");
      }
      System.out.println();
    }).onFailure(failure -> {
      String reason = failure.getMessage() != null ? failure.getMessage() : failure.toString();
      LOG.error("the hub could not start: {}", reason);
      LOG.debug("the start-up failure with its stack trace", failure);
      if (!LOG.isDebugEnabled()) {
        LOG.info("TANDEM_LOG_LEVEL=DEBUG also shows the stack trace");
      }
      vertx.close();
      System.exit(1);
    });
  }
}
