package dev.tandem.hub.observability;

import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.joran.JoranConfigurator;
import ch.qos.logback.classic.util.ContextInitializer;
import ch.qos.logback.core.joran.spi.JoranException;
import org.slf4j.LoggerFactory;

/**
 * Switches the console log between text ({@code logback.xml}) and JSON lines
 * ({@code logback-json.xml}), as {@code log-format} says. Logback has configured itself by the
 * time the settings are read (class initialisers create loggers), so the switch reloads it;
 * Main does this before the hub logs anything. An operator's own
 * {@code -Dlogback.configurationFile} is left alone.
 */
public final class LogFormat {

  private static final String JSON_CONFIG = "/logback-json.xml";
  private static boolean json;

  private LogFormat() {}

  public static synchronized void apply(boolean wantJson) {
    if (wantJson == json || System.getProperty("logback.configurationFile") != null
        || !(LoggerFactory.getILoggerFactory() instanceof LoggerContext context)) {
      return;
    }
    context.reset();
    try {
      if (wantJson) {
        JoranConfigurator configurator = new JoranConfigurator();
        configurator.setContext(context);
        configurator.doConfigure(LogFormat.class.getResource(JSON_CONFIG));
      } else {
        new ContextInitializer(context).autoConfig(); // back to what logback finds by itself
      }
    } catch (JoranException e) {
      throw new IllegalStateException("cannot reload the logging configuration", e);
    }
    json = wantJson;
  }
}
