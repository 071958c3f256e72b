package dev.tandem.hub.store;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * SQL statements live in {@code .sql} files under {@code resources/sql/}, one statement per
 * file, named for what it does. This loads them once.
 */
public final class Sql {

  private static final Map<String, String> CACHE = new ConcurrentHashMap<>();

  private Sql() {}

  public static String load(String name) {
    return CACHE.computeIfAbsent(name, Sql::read);
  }

  static String read(String resource) {
    try (InputStream in = Sql.class.getClassLoader().getResourceAsStream(resource.startsWith("db/") ? resource : "sql/" + resource)) {
      if (in == null) {
        throw new IllegalStateException("missing SQL resource " + resource);
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8).trim();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
