export interface JsonBlockProps {
  value: unknown;
  label?: string | undefined;
  testId?: string | undefined;
}

/** Pretty-printed JSON in a scrollable block; `null`/`undefined` reads "none". */
export function JsonBlock({ value, label, testId }: JsonBlockProps) {
  const text = value === undefined || value === null ? 'none' : JSON.stringify(value, null, 2);
  return (
    <pre className="code-block" title={label} data-testid={testId}>
      {text}
    </pre>
  );
}
