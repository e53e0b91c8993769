import Box from '@cloudscape-design/components/box';
import Button from '@cloudscape-design/components/button';
import Container from '@cloudscape-design/components/container';
import Form from '@cloudscape-design/components/form';
import FormField from '@cloudscape-design/components/form-field';
import Header from '@cloudscape-design/components/header';
import Input from '@cloudscape-design/components/input';
import Select from '@cloudscape-design/components/select';
import SpaceBetween from '@cloudscape-design/components/space-between';
import { useState } from 'react';
import { cognitoSignIn, localSignIn, type SignedIn } from '../auth';
import { ErrorAlert } from '../components';
import type { ConsoleConfig } from '../config';
import { CONSOLE_ROLES, type ConsoleRole } from '../permissions';

/** Suggested user ids: the demo directory `npm start` seeds. */
const SUGGESTED: Readonly<Record<ConsoleRole, string>> = { coordinator: 'coordinator-1', mentor: 'mentor-grace', junior: 'junior-ada' };

export function SignInPage({ config, onSignedIn }: { config: ConsoleConfig; onSignedIn: (user: SignedIn) => void }) {
  const [role, setRole] = useState<ConsoleRole>('coordinator');
  const [sub, setSub] = useState(SUGGESTED.coordinator);
  const [error, setError] = useState<unknown>(undefined);
  const [busy, setBusy] = useState(false);
  const submit = async () => {
    setBusy(true);
    setError(undefined);
    try {
      if (config.auth === 'cognito') await cognitoSignIn(config);
      else onSignedIn(await localSignIn(config, role, sub.trim()));
    } catch (failure) {
      setError(failure);
    } finally {
      setBusy(false);
    }
  };
  return (
    <main>
      <Box padding="xxl">
        <form
          onSubmit={(event) => {
            event.preventDefault();
            void submit();
          }}
        >
          <Form
            header={<Header variant="h1">Mentorship sessions console</Header>}
            actions={
              <Button variant="primary" formAction="submit" loading={busy}>
                Sign in
              </Button>
            }
          >
            <Container header={<Header variant="h2">{config.auth === 'local' ? 'Local sign-in' : 'Sign in'}</Header>}>
              {config.auth === 'local' ? (
                <SpaceBetween size="m">
                  <Box variant="p">Local only: pick a role and a user id; the local server signs a token for them. A deployed console signs in with Cognito.</Box>
                  <FormField label="Role">
                    <Select
                      selectedOption={{ value: role, label: role }}
                      options={CONSOLE_ROLES.map((r) => ({ value: r, label: r }))}
                      onChange={({ detail }) => {
                        const next = detail.selectedOption.value as ConsoleRole;
                        setRole(next);
                        setSub(SUGGESTED[next]);
                      }}
                      ariaLabel="Role"
                    />
                  </FormField>
                  <FormField label="User id" description="A junior or mentor id from the directory (the demo has junior-ada, mentor-grace, ...).">
                    <Input value={sub} onChange={({ detail }) => setSub(detail.value)} ariaLabel="User id" />
                  </FormField>
                </SpaceBetween>
              ) : (
                <Box variant="p">You sign in with the Cognito hosted page; your groups decide what you may see and do.</Box>
              )}
              <ErrorAlert error={error} header="Sign-in failed" />
            </Container>
          </Form>
        </form>
      </Box>
    </main>
  );
}
