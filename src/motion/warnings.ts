/** Where readers send warnings (a file loaded but something in it looked wrong) unless told otherwise. */
export type WarningSink = (message: string) => void;

/** stderr in Node; the console in a browser page. */
export const defaultWarning: WarningSink = (message) => {
  const stderr = globalThis.process?.stderr;
  if (stderr) stderr.write(`warning: ${message}\n`);
  else console.warn(`warning: ${message}`);
};
