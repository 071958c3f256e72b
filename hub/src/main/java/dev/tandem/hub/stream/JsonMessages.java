package dev.tandem.hub.stream;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import dev.tandem.hub.http.TandemError;
import io.vertx.core.buffer.Buffer;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * Splits a JSON-mode body into the messages it stores (PROTOCOL 9.1): a top-level array is
 * flattened one level, any other value is one message. Each message is stored as the exact
 * bytes the client sent for it, so nothing is re-encoded on the way in or out.
 */
public final class JsonMessages {

  private static final JsonFactory FACTORY = JsonFactory.builder()
      .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(256).build())
      .build();

  private JsonMessages() {}

  /**
   * @param allowEmpty whether {@code []} is accepted (creating a stream: yes; appending: no)
   */
  public static List<Buffer> split(Buffer body, boolean allowEmpty, int maxMessages) {
    byte[] bytes = body.getBytes();
    List<Buffer> messages = new ArrayList<>();
    try (JsonParser parser = FACTORY.createParser(bytes)) {
      JsonToken first = parser.nextToken();
      if (first == null) {
        throw invalid("the body is empty");
      }
      if (parser.currentTokenLocation().getByteOffset() < 0) {
        throw invalid("JSON must be encoded as UTF-8"); // the parser detected UTF-16 or UTF-32
      }
      if (first == JsonToken.START_ARRAY) {
        JsonToken token;
        while ((token = parser.nextToken()) != JsonToken.END_ARRAY) {
          if (token == null) {
            throw invalid("the array is not closed");
          }
          long start = parser.currentTokenLocation().getByteOffset();
          parser.skipChildren();
          parser.finishToken(); // strings are parsed lazily: consume this one before measuring it
          long end = parser.currentLocation().getByteOffset();
          if (messages.size() == maxMessages) {
            throw TandemError.tooLarge("a JSON append may hold at most " + maxMessages + " messages");
          }
          messages.add(body.getBuffer((int) start, (int) end));
        }
      } else {
        long start = parser.currentTokenLocation().getByteOffset();
        parser.skipChildren();
        parser.finishToken();
        long end = parser.currentLocation().getByteOffset();
        messages.add(body.getBuffer((int) start, (int) end));
      }
      if (parser.nextToken() != null) {
        throw invalid("unexpected content after the JSON value");
      }
    } catch (IOException e) {
      throw invalid(originalMessage(e));
    }
    if (messages.isEmpty() && !allowEmpty) {
      throw TandemError.badRequest("empty_json_array", "an empty JSON array appends nothing; send at least one message");
    }
    return messages;
  }

  private static String originalMessage(IOException e) {
    return e instanceof com.fasterxml.jackson.core.JsonProcessingException p ? p.getOriginalMessage() : e.getMessage();
  }

  private static TandemError invalid(String why) {
    return TandemError.badRequest("invalid_json", "the body is not valid JSON: " + why);
  }
}
