/** Placeholder: this page is being built. */
import type { PageProps } from "../routes";
import { PageHeader } from "../ui/ui";

export default function Page({ view, params }: PageProps) {
  return (
    <>
      <PageHeader title="metrics" />
      <p>
        Not built yet ({view} {JSON.stringify(params)}).
      </p>
    </>
  );
}
