// The two sides of lm.bench.ts's conversation with an engine running in a child process. The
// children stay loaded while the parent alternates timed prefills between them, so machine load
// that comes and goes (other builds on the same cores) falls on both engines alike.
import { type ChildProcess, fork } from "node:child_process";
import { peakRssBytes } from "./bench-workload.js";

export interface PrefixReuseTiming {
  noReuseMs: number;
  reuseMs: number;
}

/** What an engine's child process can be asked to do. */
export interface BenchEngine {
  /** One prefill of the benchmark prompt; returns its wall time in ms. */
  prefill(): Promise<number>;
  prefixReuse?(): Promise<PrefixReuseTiming>;
  /** A greedy decode of a fixed number of tokens after the prompt; returns its wall time in ms. */
  decode?(): Promise<number>;
  /** How long loading the model took, in ms. */
  loadMs?(): Promise<number>;
}

type Request = { id: number; op: "prefill" | "prefixReuse" | "decode" | "loadMs" | "peakRss" | "exit" };
type Reply = { id: number; value?: unknown; error?: string };

/** Child side: answers the parent's requests until told to exit. */
export function serveBenchEngine(engine: BenchEngine, dispose: () => Promise<void>): void {
  const send = (reply: Reply) => process.send?.(reply);
  process.on("message", async (request: Request) => {
    try {
      if (request.op === "prefill") send({ id: request.id, value: await engine.prefill() });
      else if (request.op === "prefixReuse") {
        if (!engine.prefixReuse) throw new Error("this engine has no prefix-reuse workload");
        send({ id: request.id, value: await engine.prefixReuse() });
      } else if (request.op === "decode" || request.op === "loadMs") {
        const measure = engine[request.op];
        if (!measure) throw new Error(`this engine cannot measure ${request.op}`);
        send({ id: request.id, value: await measure() });
      } else if (request.op === "peakRss") send({ id: request.id, value: await peakRssBytes() });
      else {
        await dispose();
        send({ id: request.id });
        process.disconnect();
      }
    } catch (error) {
      send({ id: request.id, error: error instanceof Error ? error.message : String(error) });
    }
  });
  send({ id: 0 });
}

/** Parent side: an engine in a child process, ready once its model is loaded. */
export class RemoteBenchEngine {
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();

  private constructor(private readonly child: ChildProcess) {
    child.on("message", (reply: Reply) => {
      const waiter = this.pending.get(reply.id);
      this.pending.delete(reply.id);
      if (reply.error) waiter?.reject(new Error(reply.error));
      else waiter?.resolve(reply.value);
    });
    child.on("exit", (code) => {
      for (const waiter of this.pending.values()) waiter.reject(new Error(`bench child exited with ${code}`));
      this.pending.clear();
    });
  }

  /** Starts `script` (TypeScript, through tsx) and waits until it has loaded its model. */
  static async start(script: string, args: string[]): Promise<RemoteBenchEngine> {
    const child = fork(script, args, { execArgv: ["--import", "tsx"] });
    const engine = new RemoteBenchEngine(child);
    await new Promise((resolve, reject) => engine.pending.set(0, { resolve, reject }));
    return engine;
  }

  prefill(): Promise<number> {
    return this.request("prefill") as Promise<number>;
  }

  prefixReuse(): Promise<PrefixReuseTiming> {
    return this.request("prefixReuse") as Promise<PrefixReuseTiming>;
  }

  decode(): Promise<number> {
    return this.request("decode") as Promise<number>;
  }

  loadMs(): Promise<number> {
    return this.request("loadMs") as Promise<number>;
  }

  peakRss(): Promise<number> {
    return this.request("peakRss") as Promise<number>;
  }

  async exit(): Promise<void> {
    await this.request("exit");
  }

  private request(op: Request["op"]): Promise<unknown> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.child.send({ id, op } satisfies Request);
    });
  }
}
