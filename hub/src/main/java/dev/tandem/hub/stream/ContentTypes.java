package dev.tandem.hub.stream;

import java.util.Locale;

/**
 * Content types are compared by media type only, case-insensitively, ignoring parameters:
 * {@code Application/JSON; charset=utf-8} is {@code application/json}.
 */
public final class ContentTypes {

  public static final String JSON = "application/json";
  public static final String DEFAULT = "application/octet-stream";

  private ContentTypes() {}

  /** The normalized media type, or null when the header is absent or not {@code type/subtype}. */
  public static String normalize(String header) {
    if (header == null) {
      return null;
    }
    int semicolon = header.indexOf(';');
    String media = (semicolon >= 0 ? header.substring(0, semicolon) : header).trim().toLowerCase(Locale.ROOT);
    int slash = media.indexOf('/');
    if (slash <= 0 || slash == media.length() - 1 || media.indexOf('/', slash + 1) >= 0) {
      return null;
    }
    for (int i = 0; i < media.length(); i++) {
      char c = media.charAt(i);
      if (c <= ' ' || c >= 127 || "()<>@,;:\\\"[]?={}".indexOf(c) >= 0) {
        return null;
      }
    }
    return media;
  }

  public static boolean isJson(String contentType) {
    return JSON.equals(contentType);
  }

  /** SSE carries text and JSON as they are and everything else base64-encoded. */
  public static boolean isTextual(String contentType) {
    return contentType.startsWith("text/") || isJson(contentType);
  }
}
