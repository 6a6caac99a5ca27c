/**
 * Starts the parts of the system as child processes in dependency order, waits until each is
 * ready, prefixes and files their output, and stops them all (in reverse order) on request or
 * as soon as one dies. Runs on Deno.
 *
 * No orphans: on Linux each child is started under `setpriv --pdeathsig SIGTERM`, so the kernel
 * signals it even if the supervisor itself is killed with SIGKILL, and under `setsid`, so that a
 * Ctrl-C reaches the supervisor alone and the stop happens in order.
 *
 * @module
 */

/** How one long-running part is started and checked. */
export interface PartSpec {
  /** Short name used as log prefix and log file name, e.g. `"kafka"`. */
  name: string;
  /** What it is, for the start-up table. */
  description: string;
  /** Where it listens, for the start-up table. */
  address: string;
  /** The URL that answers 200 once an HTTP part is ready. */
  healthUrl?: string;
  /** TCP ports on 127.0.0.1 it binds; checked free before start. */
  ports: number[];
  /** The variable that moves its port, named in the error when the port is taken. */
  portSetting?: string;
  /** One-off work before the start, e.g. formatting storage. */
  prepare?: (context: PartContext) => Promise<void>;
  command: { cmd: string; args: string[]; env?: Record<string, string>; cwd?: string };
  /** Resolves once the part serves; rejects with the reason when it cannot. */
  ready: (context: PartContext) => Promise<void>;
  readyTimeoutMs: number;
  /** Time allowed after SIGTERM before SIGKILL. */
  stopTimeoutMs: number;
}

/** What a part's hooks may use. */
export interface PartContext {
  /** Aborted when the part's process exits or the start is given up. */
  signal: AbortSignal;
  /** Appends a line to the part's log (and the console, unless quiet). */
  log: (line: string) => void;
  /** Runs a one-off command to completion; output goes to the part's log. */
  run: (cmd: string, args: string[], options?: RunOptions) => Promise<string>;
}

/** Options of {@linkcode PartContext.run}. */
export interface RunOptions {
  env?: Record<string, string>;
  timeoutMs?: number;
}

/** A start or stop that failed; `message` is the one line to show the user. */
export class SupervisorError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "SupervisorError";
  }
}

/** Options of {@linkcode Supervisor}. */
export interface SupervisorOptions {
  /** Folder for one `<part>.log` per part. */
  logDir: string;
  /** File where the supervisor records its own and its children's process ids. */
  stateFile: string;
  /** When true, part output goes to log files only. */
  quiet?: boolean;
  /** Prints the supervisor's own lines. */
  print?: (line: string) => void;
}

interface Running {
  spec: PartSpec;
  child: Deno.ChildProcess;
  exited: Promise<Deno.CommandStatus>;
  groupKill: boolean;
  /** Set when the part is stopped on purpose, so its exit is not a failure. */
  expected: { exit: boolean };
}

const COLORS = [36, 35, 33, 32, 34, 91, 96];
const encoder = new TextEncoder();

/** Supervises a set of parts; see the module documentation. */
export class Supervisor {
  #options: SupervisorOptions;
  #running: Running[] = [];
  #stopping = false;
  #failure = Promise.withResolvers<{ part: string; code: number }>();
  #logs = new Map<string, Deno.FsFile>();
  #writers = new Map<string, (line: string) => void>();
  #specs = new Map<string, { spec: PartSpec; index: number }>();
  #width = 6;

  constructor(options: SupervisorOptions) {
    this.#options = options;
  }

  /** Settles when a part exits while the supervisor is not stopping, naming the part. */
  get failure(): Promise<{ part: string; code: number }> {
    return this.#failure.promise;
  }

  /** Process ids of the running parts, by name. */
  pids(): Record<string, number> {
    return Object.fromEntries(this.#running.map((r) => [r.spec.name, r.child.pid]));
  }

  /**
   * Starts `parts` one after the other, each once the previous one is ready. On any failure,
   * stops what was started and throws a {@linkcode SupervisorError}.
   */
  async start(parts: PartSpec[]): Promise<void> {
    this.#width = Math.max(6, ...parts.map((p) => p.name.length));
    await Deno.mkdir(this.#options.logDir, { recursive: true });
    try {
      for (const [index, spec] of parts.entries()) {
        this.#specs.set(spec.name, { spec, index });
        await this.#startOne(spec, index);
      }
    } catch (error) {
      await this.stop();
      throw error;
    }
  }

  /** Stops every part in reverse start order: SIGTERM, then SIGKILL after its timeout. */
  async stop(): Promise<void> {
    this.#stopping = true;
    for (const running of [...this.#running].reverse()) {
      await this.#stopOne(running);
    }
    this.#running = [];
    for (const file of this.#logs.values()) file.close();
    this.#logs.clear();
    this.#writers.clear();
    await Deno.remove(this.#options.stateFile).catch(() => {});
  }

  /**
   * Stops one part on purpose (for fault-injection tests): gracefully, or with SIGKILL when
   * `kill` is set, as a crash would. Its exit is not treated as a failure.
   */
  async stopPart(name: string, options: { kill?: boolean } = {}): Promise<void> {
    const running = this.#running.find((entry) => entry.spec.name === name);
    if (!running) throw new SupervisorError(`${name} is not running`);
    running.expected.exit = true;
    if (options.kill) {
      this.#signal(running, "SIGKILL");
      await running.exited;
      this.#print(`${name} killed`);
    } else {
      await this.#stopOne(running);
    }
    this.#running = this.#running.filter((entry) => entry !== running);
    await this.#writeState();
  }

  /**
   * Marks a part's coming exit as expected (a test makes it crash on purpose) and waits for it,
   * at most `timeoutMs`.
   */
  async expectExit(name: string, timeoutMs: number): Promise<number> {
    const running = this.#running.find((entry) => entry.spec.name === name);
    if (!running) throw new SupervisorError(`${name} is not running`);
    running.expected.exit = true;
    const status = await within(running.exited, timeoutMs);
    if (!status) {
      running.expected.exit = false;
      throw new SupervisorError(`${name} did not exit within ${timeoutMs} ms`);
    }
    this.#running = this.#running.filter((entry) => entry !== running);
    await this.#writeState();
    this.#print(`${name} exited as expected with code ${status.code}`);
    return status.code;
  }

  /** Starts again a part stopped with {@linkcode stopPart}, and waits until it is ready. */
  async startPart(name: string): Promise<void> {
    const known = this.#specs.get(name);
    if (!known) throw new SupervisorError(`${name} is not a part of this stack`);
    if (this.#running.some((entry) => entry.spec.name === name)) {
      throw new SupervisorError(`${name} is already running`);
    }
    await this.#startOne(known.spec, known.index);
  }

  async #startOne(spec: PartSpec, index: number): Promise<void> {
    for (const port of spec.ports) assertPortFree(port, spec);

    const started = performance.now();
    const log = this.#logFor(spec.name, COLORS[index % COLORS.length]);
    const context = (signal: AbortSignal): PartContext => ({
      signal,
      log,
      run: (cmd, args, options) => this.#runOnce(spec.name, log, cmd, args, options),
    });

    if (spec.prepare) await spec.prepare(context(new AbortController().signal));

    const running = this.#spawn(spec, log);
    // Kept in start order, so a part restarted by a test still stops after its dependants.
    this.#running.push(running);
    this.#running.sort((a, b) => this.#order(a.spec) - this.#order(b.spec));
    await this.#writeState();

    const abort = new AbortController();
    const timer = setTimeout(() => abort.abort(), spec.readyTimeoutMs);
    running.exited.then(() => abort.abort());
    try {
      await spec.ready(context(abort.signal));
    } catch (error) {
      const status = await within(running.exited, 100);
      const reason = error instanceof Error ? error.message : String(error);
      const logFile = `${this.#options.logDir}/${spec.name}.log`;
      if (status) {
        throw new SupervisorError(
          `${spec.name} exited with code ${status.code} before it was ready; see ${logFile}`,
          { cause: error },
        );
      }
      if (abort.signal.aborted) {
        throw new SupervisorError(
          `${spec.name} was not ready within ${spec.readyTimeoutMs / 1000} s (${reason}); ` +
            `see ${logFile}`,
          { cause: error },
        );
      }
      throw new SupervisorError(`${spec.name} failed to start: ${reason}; see ${logFile}`, {
        cause: error,
      });
    } finally {
      clearTimeout(timer);
    }

    const seconds = ((performance.now() - started) / 1000).toFixed(1);
    this.#print(`${spec.name} ready in ${seconds} s: ${spec.address}`);
  }

  #spawn(spec: PartSpec, log: (line: string) => void): Running {
    const wrap = Deno.build.os === "linux" && hasSetpriv();
    const cmd = wrap ? "setpriv" : spec.command.cmd;
    const args = wrap
      ? ["--pdeathsig", "SIGTERM", "--", "setsid", "--", spec.command.cmd, ...spec.command.args]
      : spec.command.args;
    const child = spawnOrExplain(spec.command.cmd, cmd, {
      args,
      env: spec.command.env,
      cwd: spec.command.cwd,
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
    });

    pipeLines(child.stdout, log);
    pipeLines(child.stderr, log);
    const expected = { exit: false };
    const exited = child.status.then((status) => {
      if (!this.#stopping && !expected.exit) {
        this.#print(`${spec.name} exited with code ${status.code}: stopping everything`);
        this.#failure.resolve({ part: spec.name, code: status.code });
      }
      return status;
    });
    return { spec, child, exited, groupKill: wrap, expected };
  }

  #order(spec: PartSpec): number {
    return this.#specs.get(spec.name)?.index ?? Number.MAX_SAFE_INTEGER;
  }

  #signal(running: Running, name: Deno.Signal): void {
    try {
      // The child leads its own process group: signal the group, so helpers it forked go too.
      Deno.kill(running.groupKill ? -running.child.pid : running.child.pid, name);
    } catch {
      // Already gone.
    }
  }

  async #stopOne(running: Running): Promise<void> {
    const { spec } = running;
    running.expected.exit = true;
    this.#signal(running, "SIGTERM");
    const done = await within(running.exited, spec.stopTimeoutMs);
    if (!done) {
      this.#print(`${spec.name} did not stop within ${spec.stopTimeoutMs / 1000} s: killing it`);
      this.#signal(running, "SIGKILL");
      await running.exited;
    }
    this.#print(`${spec.name} stopped`);
  }

  async #runOnce(
    part: string,
    log: (line: string) => void,
    cmd: string,
    args: string[],
    options: RunOptions = {},
  ): Promise<string> {
    const child = spawnOrExplain(cmd, cmd, {
      args,
      env: options.env,
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
    });
    const timer = options.timeoutMs
      ? setTimeout(() => child.kill("SIGKILL"), options.timeoutMs)
      : undefined;
    const [stdout, stderr] = await Promise.all([collect(child.stdout), collect(child.stderr)]);
    const status = await child.status;
    clearTimeout(timer);
    for (const line of (stdout + stderr).split("\n")) if (line) log(line);
    if (!status.success) {
      const last = stderr.trim().split("\n").at(-1) || stdout.trim().split("\n").at(-1) || "";
      throw new SupervisorError(
        `${part}: ${cmd} ${args[0] ?? ""} failed with code ${status.code}${
          last ? `: ${last}` : ""
        }`,
      );
    }
    return stdout;
  }

  #logFor(name: string, color: number): (line: string) => void {
    const existing = this.#writers.get(name);
    if (existing) return existing;
    const file = Deno.openSync(`${this.#options.logDir}/${name}.log`, {
      create: true,
      append: true,
    });
    this.#logs.set(name, file);
    const tty = Deno.stdout.isTerminal();
    const label = name.padEnd(this.#width);
    const prefix = tty ? `\x1b[${color}m${label} |\x1b[0m ` : `${label} | `;
    const write = (line: string) => {
      try {
        file.writeSync(encoder.encode(line + "\n"));
      } catch {
        // The last lines of a part killed during the stop may arrive after its file closed.
      }
      if (!this.#options.quiet) writeAll(prefix + line + "\n");
    };
    this.#writers.set(name, write);
    return write;
  }

  async #writeState(): Promise<void> {
    const state = { supervisor: Deno.pid, parts: this.pids() };
    await Deno.writeTextFile(this.#options.stateFile, JSON.stringify(state) + "\n");
  }

  #print(line: string): void {
    (this.#options.print ?? ((text: string) => writeAll(text + "\n")))(line);
  }
}

/**
 * Throws a {@linkcode SupervisorError} naming the first port of `parts` that is taken, before
 * anything is started or prepared (a test run wipes its database: another run may be using it).
 */
export function assertPortsFree(parts: PartSpec[]): void {
  for (const spec of parts) for (const port of spec.ports) assertPortFree(port, spec);
}

function assertPortFree(port: number, spec: PartSpec): void {
  try {
    const listener = Deno.listen({ hostname: "127.0.0.1", port });
    listener.close();
  } catch (error) {
    if (!(error instanceof Deno.errors.AddrInUse)) throw error;
    const move = spec.portSetting ? ` or set ${spec.portSetting} to another port` : "";
    throw new SupervisorError(
      `port ${port} needed by ${spec.name} is already in use: stop the process that holds it ` +
        `(ss -ltnp 'sport = :${port}' names it)${move}`,
    );
  }
}

/**
 * Spawns `cmd`, after checking that `program` (the real program when `cmd` is a wrapper such as
 * setpriv, which would turn a missing program into exit code 127) can be found.
 */
function spawnOrExplain(
  program: string,
  cmd: string,
  options: Deno.CommandOptions,
): Deno.ChildProcess {
  if (!findProgram(program)) {
    throw new SupervisorError(
      `"${program}" was not found: install it or run \`deno task bootstrap\` (Java 17+ for ` +
        "the broker, Node 22+ for the services)",
    );
  }
  return new Deno.Command(cmd, options).spawn();
}

/** True when `program` is an executable path, or an executable on PATH. */
function findProgram(program: string): boolean {
  const candidates = program.includes("/")
    ? [program]
    : (Deno.env.get("PATH") ?? "").split(":").map((dir) => `${dir}/${program}`);
  return candidates.some((path) => {
    try {
      const info = Deno.statSync(path);
      return info.isFile && ((info.mode ?? 0o111) & 0o111) !== 0;
    } catch {
      return false;
    }
  });
}

let setprivFound: boolean | undefined;
function hasSetpriv(): boolean {
  if (setprivFound === undefined) {
    try {
      setprivFound = new Deno.Command("setpriv", { args: ["--version"], stdout: "null" })
        .outputSync().success;
    } catch {
      setprivFound = false;
    }
  }
  return setprivFound;
}

async function pipeLines(stream: ReadableStream<Uint8Array>, write: (line: string) => void) {
  let buffered = "";
  for await (const chunk of stream.pipeThrough(new TextDecoderStream())) {
    buffered += chunk;
    const lines = buffered.split("\n");
    buffered = lines.pop() ?? "";
    for (const line of lines) write(line);
  }
  if (buffered) write(buffered);
}

async function collect(stream: ReadableStream<Uint8Array>): Promise<string> {
  return await new Response(stream).text();
}

function writeAll(text: string): void {
  const bytes = encoder.encode(text);
  let written = 0;
  while (written < bytes.length) written += Deno.stdout.writeSync(bytes.subarray(written));
}

/** Resolves with the promise's value, or `undefined` once `ms` have passed. */
async function within<T>(promise: Promise<T>, ms: number): Promise<T | undefined> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<undefined>((resolve) => {
    timer = setTimeout(() => resolve(undefined), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
