// What the supervisor-stdout plugin's result handler (supervisor_stdout:event_handler, common in
// Docker images) prints on supervisord's stdout for each RESULT its listener sends back: the
// listener echoes the event, and every line of the event's data is printed after
// "PROCESSNAME CHANNEL | ", the lines joined with "\n" and ended by print()'s "\n" (so data
// ending in "\n" gives a last line with the prefix alone, as the plugin does).

/**
 * The text the plugin prints for one RESULT body (the event header line, "\n", its data), or
 * undefined where the plugin raises (no "\n", a header that is not NAME:VALUE words, no
 * processname or channel): supervisord then logs "event caused an error".
 * @example supervisorStdoutText("processname:web groupname:web pid:7 channel:stdout\nhi\n") // "web stdout | hi\nweb stdout | \n"
 */
export function supervisorStdoutText(result: string): string | undefined {
  const nl = result.indexOf("\n");
  if (nl < 0) return undefined;
  const headers = new Map<string, string>();
  for (const word of result.slice(0, nl).split(/\s+/).filter(Boolean)) {
    const parts = word.split(":");
    if (parts.length !== 2) return undefined;
    headers.set(parts[0]!, parts[1]!);
  }
  const name = headers.get("processname"), channel = headers.get("channel");
  if (name === undefined || channel === undefined) return undefined;
  const prefix = `${name} ${channel} | `;
  return result.slice(nl + 1).split("\n").map((line) => prefix + line).join("\n") + "\n";
}
