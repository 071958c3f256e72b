package dev.tandem.governance.access;

import java.util.Set;

/**
 * Actions allowed on a subtree of stream paths. {@code pathPrefix} {@code team-a} or
 * {@code team-a/} covers {@code team-a} and everything below it, never {@code team-ab};
 * the empty prefix covers every stream.
 */
public record Scope(String pathPrefix, Set<Action> actions) {

  public Scope {
    actions = Set.copyOf(actions);
  }
}
