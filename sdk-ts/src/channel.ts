/**
 * What one client holds on one stream path, shared by every handle on that path: at most one
 * subscription (the hub allows one per connection and stream) and the stream's presence.
 * When presence is observed without a subscription, the channel keeps a quiet one from `now`
 * and hands its slot over when the application subscribes.
 */
import { ErrorCodes, TandemError } from "./errors.js";
import { Presence } from "./presence.js";
import { Subscription } from "./subscription.js";
import type { HubSocket } from "./hub-socket.js";
import type { EventHandler, SubscribeOptions } from "./types.js";

export class Channel {
  readonly path: string;
  readonly presence: Presence;
  readonly #connection: HubSocket;
  #subscription: Subscription<unknown> | undefined;
  #watch: Subscription<unknown> | undefined;

  constructor(connection: HubSocket, path: string) {
    this.#connection = connection;
    this.path = path;
    this.presence = new Presence(connection, path, {
      watch: () => this.#startWatch(),
      unwatch: () => this.#stopWatch(),
    });
  }

  get subscription(): Subscription<unknown> | undefined {
    return this.#subscription;
  }

  subscribe<T>(options: SubscribeOptions, handler: EventHandler<T>): Subscription<T> {
    if (this.#subscription?.active) {
      throw new TandemError(ErrorCodes.alreadySubscribed, `this client already subscribes to '${this.path}'; unsubscribe first`, 409);
    }
    const subscription: Subscription<T> = new Subscription<T>(this.#connection, this.path, options, handler, {
      onSubscribed: () => this.presence.expectSnapshot(),
      onEnded: () => {
        if (this.#subscription === (subscription as Subscription<unknown>)) {
          this.#subscription = undefined;
          if (this.presence.observed) this.#startWatch();
        }
      },
    });
    this.#subscription = subscription as Subscription<unknown>;
    const watch = this.#watch;
    this.#watch = undefined;
    if (watch) void watch.unsubscribe().finally(() => subscription.start());
    else subscription.start();
    return subscription;
  }

  #startWatch(): void {
    if (this.#subscription?.active || this.#watch?.active || this.#connection.state === "closed") return;
    const watch = new Subscription<unknown>(this.#connection, this.path, { from: "now" }, undefined, {
      onSubscribed: () => this.presence.expectSnapshot(),
    });
    this.#watch = watch;
    watch.start();
  }

  #stopWatch(): void {
    const watch = this.#watch;
    this.#watch = undefined;
    void watch?.unsubscribe();
  }
}
